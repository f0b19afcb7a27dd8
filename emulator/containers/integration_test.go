package containers_test

// integrationTag is true when the tests are built with -tags integration,
// which opts in to the Docker-backed tests like STREAMCHECK_DOCKER=1.
var integrationTag = false
