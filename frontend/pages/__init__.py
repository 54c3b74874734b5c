"""UI routes, one module per concept."""
