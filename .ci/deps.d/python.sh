# The Python package (mk/python.mk): `python3 -m venv` needs ensurepip, which
# Debian ships in python3-venv. The wheel is abi3 and does not link libpython,
# so no python3-dev. pip fetches maturin, pytest and mypy into the venv.
packages+=(python3 python3-venv)
