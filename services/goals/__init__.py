"""The goals service: strategy — surfaces, the goal tree, effect maps."""
