// Package credentials is the one place of the sandbox's documented credentials: what the
// README and the contracts tell every partner to use against a local sandbox. They are
// public test values, not secrets, and they work in local mode only.
package credentials

// DCMS: the tenant header of the examples, and the login of POST /v1/api/authenticate.
const (
	DCMSTenant   = "ACME_BANK"
	DCMSUser     = "sandbox_user"
	DCMSPassword = "sandbox_password"
)

// DMT: the sandbox's own client.
const (
	DMTClientID     = "sandbox_client"
	DMTClientSecret = "sandbox_secret"
	DMTPassKey      = "sandbox_pass_key"
)

// Profile: the app GetAppToken issues tokens to, and the tenant of the examples.
const (
	ProfileAppID     = "sandbox_app"
	ProfileAppSecret = "sandbox_secret"
	ProfileTenant    = "sandbox_tenant"
)
