// Package profile is generated from openapi/profile.yaml by oapi-codegen; never edit it by hand.
package profile

//go:generate go tool oapi-codegen -config config.yaml ../../openapi/profile.yaml
