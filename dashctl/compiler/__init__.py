"""The build: definitions in, deployable manifests out, written atomically or compared with what is committed."""
