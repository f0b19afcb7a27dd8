//go:build integration

package containers_test

func init() { integrationTag = true }
