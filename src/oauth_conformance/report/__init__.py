"""Report writers: conformance.json, the evidence log, and the one-screen terminal summary."""
