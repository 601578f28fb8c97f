package store

import "context"

type peekKey struct{}

// Peek marks ctx's reads as an onlooker's (the admin API's): a View of a partition no
// call has used yet reads the base without making the tenant one that has used the API
// (Tenants does not list it, and nothing is kept for it). Updates are not affected.
func Peek(ctx context.Context) context.Context { return context.WithValue(ctx, peekKey{}, true) }

// Peeking says whether ctx was marked by Peek.
func Peeking(ctx context.Context) bool {
	v, _ := ctx.Value(peekKey{}).(bool)
	return v
}
