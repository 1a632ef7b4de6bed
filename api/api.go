// Package api holds the contract as a file: the OpenAPI 3 description of
// every endpoint Dayu serves.
package api

import _ "embed"

// OpenAPI is api/openapi.yaml, served at /openapi.yaml and checked against
// every response in the black-box tests.
//
//go:embed openapi.yaml
var OpenAPI []byte
