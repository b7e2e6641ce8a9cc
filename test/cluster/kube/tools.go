//go:build tools

// Package tools pins the Kubernetes control-plane commands the real-API-server tests build from this module.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
