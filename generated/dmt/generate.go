// Package dmt is generated from openapi/dmt.yaml by oapi-codegen; never edit it by hand.
package dmt

//go:generate go tool oapi-codegen -config config.yaml ../../openapi/dmt.yaml
