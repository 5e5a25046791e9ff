"""The release number, in a module that imports nothing.

``couverture --version``, the web app's OpenAPI schema and the fetcher's User-Agent
read it from here, and so does the build (pyproject.toml: ``version`` is dynamic, read
from this attribute), so the number is written once.
"""
__version__ = "0.1.0"
