"""Geography and harmonisation: canonical areas and boundaries, versioned lookups, best-fit aggregation and its reliability."""
