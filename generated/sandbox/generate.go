// Package sandbox is generated from openapi/sandbox.yaml by oapi-codegen; never edit it by hand.
package sandbox

//go:generate go tool oapi-codegen -config config.yaml ../../openapi/sandbox.yaml
