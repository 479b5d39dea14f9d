"""Kubernetes packaging: ConfigMaps and Secrets for the Grafana sidecars, kustomizations, ArgoCD manifests."""
