"""The HTTP service: PaddleOCR's basic-serving API (``POST /ocr``) on FastAPI + uvicorn.

    ppocr serve --host 127.0.0.1 --port 8080 [--workers N] [pipeline options ...]

`create_app(settings)` builds the ASGI app (one pipeline per process); `serve(settings)`
runs it with uvicorn.
"""

from .app import ServiceSettings, create_app, serve

__all__ = ["ServiceSettings", "create_app", "serve"]
