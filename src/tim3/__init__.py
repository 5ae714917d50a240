"""TIM3: a USDA-backed token on AO, its aos-compatible runtime and a local AO devnet."""

__version__ = "0.1.0"
