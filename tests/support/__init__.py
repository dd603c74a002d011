"""What the tests share: builders, clients, servers and payloads, one module per concern.

Test modules and conftest files import from here; no module imports a conftest or a test module.
"""
