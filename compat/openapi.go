package compat

import _ "embed"

// openAPI is the OpenAPI 3.1 document served at /openapi.json. A test keeps
// its paths and methods equal to the registered routes.
//
//go:embed openapi.json
var openAPI []byte
