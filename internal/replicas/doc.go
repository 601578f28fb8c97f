// Package replicas holds the end-to-end suite of sandbox replicas sharing one Redis: real
// sandbox binaries on a real redis-server, proving what only exists across replicas (see
// replicas_test.go). It has no code of its own.
package replicas
