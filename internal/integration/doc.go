// Package integration holds the tests that run tools through the whole
// production path: the tool core's invoker, the real msgraph-sdk-go and
// azkustodata clients, azidentity against the emulator's token endpoint, the
// shared retry policy, and the emulator serving the demo tenants. It is the
// one test package besides internal/graph and cmd that pays for the Graph
// SDK's build; tool packages test their logic without it.
package integration
