"""URL paths of the calibration server, importable before Django is configured (unlike ``dot_urls``)."""

__all__ = ["ADMIN_RESOURCE_PATH", "DISCOVERY_PATH", "DOT_PREFIX", "RESOURCE_PATH"]

DOT_PREFIX = "/o"  # where DOT's tutorial mounts it
DISCOVERY_PATH = f"{DOT_PREFIX}/.well-known/openid-configuration"
RESOURCE_PATH = "/api/resource"
ADMIN_RESOURCE_PATH = "/api/admin-resource"
