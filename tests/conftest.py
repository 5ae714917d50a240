pytest_plugins = ["tim3.testing"]
