"""PostgreSQL advisory lock keys of analytics (first key; the second is the client's id)."""

# Held by the fill of one tenant (a session lock, so it ends with a killed worker's connection),
# and by anything that forgets a tenant's figures (a transaction lock).
FILL_LOCK = 7_301_114
