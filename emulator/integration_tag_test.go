//go:build integration

package emulator_test

func init() { integrationTag = true }
