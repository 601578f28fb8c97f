package admin

import (
	"context"
	"encoding/base64"
	"errors"

	api "github.com/partnersandbox/sandbox/generated/sandbox"
	"github.com/partnersandbox/sandbox/internal/tenant"
	"github.com/partnersandbox/sandbox/internal/tenants"
)

// The declared tenants: POST /__sandbox/tenants, GET and DELETE /__sandbox/tenants/{tenant},
// POST /__sandbox/tenants/{tenant}/rotate.

func (c *core) CreateTenant(ctx context.Context, req api.CreateTenantRequestObject) (api.CreateTenantResponseObject, error) {
	if !tenant.Valid(req.Body.Tenant) {
		return api.CreateTenant400JSONResponse{BadRequestJSONResponse: BadRequest("tenant %q: %s", req.Body.Tenant, tenant.Rule)}, nil
	}
	creds, err := c.Declared.Create(ctx, req.Body.Tenant)
	switch {
	case errors.Is(err, tenants.ErrExists):
		return api.CreateTenant409JSONResponse(errorBody("conflict", "tenant "+req.Body.Tenant+" is declared already: rotate its credentials (POST /__sandbox/tenants/"+req.Body.Tenant+"/rotate) or delete it first")), nil
	case errors.Is(err, tenants.ErrLimit):
		return api.CreateTenant503JSONResponse{UnavailableJSONResponse: api.UnavailableJSONResponse(errorBody("tenant_limit", err.Error()))}, nil
	case err != nil:
		return nil, err
	}
	return api.CreateTenant201JSONResponse(credentialsOut(creds)), nil
}

func (c *core) GetTenant(ctx context.Context, req api.GetTenantRequestObject) (api.GetTenantResponseObject, error) {
	rec, err := c.Declared.Get(ctx, req.Tenant)
	switch {
	case err != nil:
		return nil, err
	case rec == nil:
		return api.GetTenant404JSONResponse(notDeclared(req.Tenant)), nil
	}
	return api.GetTenant200JSONResponse(credentialsOut(tenants.Credentials{Tenant: req.Tenant, Record: *rec})), nil
}

func (c *core) RotateTenant(ctx context.Context, req api.RotateTenantRequestObject) (api.RotateTenantResponseObject, error) {
	creds, err := c.Declared.Rotate(ctx, req.Tenant)
	switch {
	case errors.Is(err, tenants.ErrNotFound):
		return api.RotateTenant404JSONResponse(notDeclared(req.Tenant)), nil
	case err != nil:
		return nil, err
	}
	return api.RotateTenant200JSONResponse(credentialsOut(creds)), nil
}

func (c *core) DeleteTenant(ctx context.Context, req api.DeleteTenantRequestObject) (api.DeleteTenantResponseObject, error) {
	err := c.Declared.Delete(ctx, req.Tenant)
	switch {
	case errors.Is(err, tenants.ErrNotFound):
		return api.DeleteTenant404JSONResponse(notDeclared(req.Tenant)), nil
	case err != nil:
		return nil, err
	}
	if err := c.dropState(ctx, req.Tenant); err != nil {
		return nil, err
	}
	return api.DeleteTenant204Response{}, nil
}

func notDeclared(name string) api.Error {
	return errorBody("not_found", "no declared tenant "+name+" (POST /__sandbox/tenants declares one)")
}

// credentialsOut is the admin API's view of a tenant's credentials (the admin token only
// where it is known: on creation and rotation).
func credentialsOut(c tenants.Credentials) api.TenantCredentials {
	var out api.TenantCredentials
	out.Tenant = c.Tenant
	if c.AdminToken != "" {
		out.AdminToken = &c.AdminToken
	}
	out.Dcms.Tenant, out.Dcms.Username, out.Dcms.Password = c.Tenant, c.DCMS.Username, c.DCMS.Password
	out.Dcms.SetPinKey = base64.StdEncoding.EncodeToString(c.DCMS.SetPinKey)
	out.Dmt.ClientId, out.Dmt.ClientSecret, out.Dmt.PassKey = c.Tenant, c.DMT.ClientSecret, c.DMT.PassKey
	out.Dmt.Key = base64.StdEncoding.EncodeToString(c.DMT.Key)
	out.Profile.AppId, out.Profile.AppSecret, out.Profile.TenantId = c.Profile.AppID, c.Profile.AppSecret, c.Tenant
	return out
}
