"""The user's project: its configuration, environments and the discovery of its definitions."""
