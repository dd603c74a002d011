"""What the benchmarks share: their databases, tenants and users, the web server as deployed,
the load generator's WebSocket client, the closed send loop, statistics and the machine."""
