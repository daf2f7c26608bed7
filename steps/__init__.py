"""Step definitions, one module per domain; registered as plugins by the root conftest.py."""
