// Package dcms is generated from openapi/dcms.yaml by oapi-codegen; never edit it by hand.
package dcms

//go:generate go tool oapi-codegen -config config.yaml ../../openapi/dcms.yaml
