"""``POST /ocr`` and ``GET /health``, as the guide's basic-serving API reference describes them.

Every response body is the guide's: success ``{logId, errorCode: 0, errorMsg: "Success",
result}``, failure ``{logId, errorCode: <HTTP status>, errorMsg}`` -- for validation errors,
unknown routes and unexpected exceptions too (exception handlers replace FastAPI's bodies).

Concurrency: one pipeline per worker process; decoding, OCR and image encoding run in a small
thread pool (the C++ core releases the GIL); at most ``max_concurrency + queue_size`` requests
are admitted at once, the next one gets 503 at once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import logging
import mimetypes
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Literal, Optional, Tuple

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import image_io
from ..errors import InvalidArgumentError

logger = logging.getLogger("ppocr_native.serving")

ENV_SETTINGS = "PPOCR_SERVE_SETTINGS"  # JSON settings for worker processes (--workers > 1)
DEFAULT_MAX_NUM_INPUT_IMGS = 10        # PaddleX's Serving.extra.max_num_input_imgs default
MAX_OUTPUT_IMG_SIZE = (2000, 2000)     # PaddleX's default max_output_img_size (w, h)
URL_FETCH_TIMEOUT = 30.0


@dataclass
class ServiceSettings:
    """Everything ``ppocr serve`` configures; JSON-serialisable (worker processes get a copy)."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    pipeline_kwargs: Dict[str, Any] = field(default_factory=dict)
    max_body_mb: float = 100.0
    max_pixels: int = image_io.MAX_PIXELS
    max_num_input_imgs: Optional[int] = DEFAULT_MAX_NUM_INPUT_IMGS  # None: every page
    queue_size: int = 8
    max_concurrency: int = 1
    allow_url_fetch: bool = False
    url_allow_list: List[str] = field(default_factory=list)  # empty: any host (when allowed)
    visualize: bool = True  # PaddleX's Serving default: result images are returned

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)


# --- request / response schemas (PaddleX's names) -------------------------------------------

class InferRequest(BaseModel):
    file: str
    fileType: Optional[Literal[0, 1]] = None
    useDocOrientationClassify: Optional[bool] = None
    useDocUnwarping: Optional[bool] = None
    useTextlineOrientation: Optional[bool] = None
    textDetLimitSideLen: Optional[int] = None
    textDetLimitType: Optional[str] = None
    textDetThresh: Optional[float] = None
    textDetBoxThresh: Optional[float] = None
    textDetUnclipRatio: Optional[float] = None
    textRecScoreThresh: Optional[float] = None
    # Not in the guide's table but in PaddleX's schema:
    returnWordBox: Optional[bool] = None  # only null/false: word boxes are not implemented
    visualize: Optional[bool] = None
    logId: Optional[str] = None


_OVERRIDES = {
    "useDocOrientationClassify": "use_doc_orientation_classify",
    "useDocUnwarping": "use_doc_unwarping",
    "useTextlineOrientation": "use_textline_orientation",
    "textDetLimitSideLen": "text_det_limit_side_len",
    "textDetLimitType": "text_det_limit_type",
    "textDetThresh": "text_det_thresh",
    "textDetBoxThresh": "text_det_box_thresh",
    "textDetUnclipRatio": "text_det_unclip_ratio",
    "textRecScoreThresh": "text_rec_score_thresh",
}


class OCRResultItem(BaseModel):
    prunedResult: dict
    ocrImage: Optional[str] = None
    docPreprocessingImage: Optional[str] = None
    inputImage: Optional[str] = None


class InferResult(BaseModel):
    ocrResults: List[OCRResultItem]
    dataInfo: dict


class InferResponse(BaseModel):
    logId: str
    errorCode: int = 0
    errorMsg: str = "Success"
    result: InferResult


class ErrorResponse(BaseModel):
    logId: str
    errorCode: int
    errorMsg: str


class ServiceError(Exception):
    """An error answered with the guide's error body and ``status``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _log_id() -> str:
    return str(uuid.uuid4())


def error_response(status: int, message: str, log_id: Optional[str] = None) -> JSONResponse:
    body = {"logId": log_id or _log_id(), "errorCode": status, "errorMsg": message}
    return JSONResponse(body, status_code=status)


# --- the work done in the thread pool ---------------------------------------------------------

def prune_result(obj: Any) -> Any:
    """res.json["res"] without input_path / page_index, at every level (as PaddleX)."""
    if isinstance(obj, dict):
        return {k: prune_result(v) for k, v in obj.items() if k not in ("input_path", "page_index")}
    if isinstance(obj, list):
        return [prune_result(v) for v in obj]
    return obj


def encode_jpeg(image: Any) -> str:
    """A PIL image (RGB) or BGR array as base64 JPEG, at most 2000x2000 (as PaddleX)."""
    import cv2

    if not isinstance(image, np.ndarray):
        image = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    h, w = image.shape[:2]
    max_w, max_h = MAX_OUTPUT_IMG_SIZE
    if w > max_w or h > max_h:
        factor = max_w / w if w / h > max_w / max_h else max_h / h
        image = cv2.resize(image, (int(factor * w), int(factor * h)))
    ok, data = cv2.imencode(".jpg", image)
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return base64.b64encode(data.tobytes()).decode("ascii")


def _check_pixels(width: int, height: int, limit: int, what: str) -> None:
    if width * height > limit:
        raise ServiceError(422, f"{what} has {width}x{height} pixels, over the limit of {limit}")


def decode_image(data: bytes, max_pixels: int) -> np.ndarray:
    """Decodes one image, refusing it from its header when it has too many pixels."""
    from PIL import Image

    if not data:
        raise ServiceError(422, "Invalid input file: the file is empty")
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
    except Image.DecompressionBombError:
        raise ServiceError(422, f"Input image is over the limit of {max_pixels} pixels") from None
    except Exception:
        width = height = 0  # Pillow cannot read the header: OpenCV decides
    _check_pixels(width, height, max_pixels, "Input image")
    try:
        image = image_io.decode_image_bytes(data, "input file")
    except InvalidArgumentError as err:
        raise ServiceError(422, f"Invalid input file: {' '.join(str(err).split())}") from None
    _check_pixels(image.shape[1], image.shape[0], max_pixels, "Input image")
    return image


def render_pdf(data: bytes, max_pages: Optional[int], max_pixels: int) -> List[np.ndarray]:
    """The first ``max_pages`` pages (all when None), rendered as the library renders them."""
    from ..inputs import _iter_pdf

    if not data:
        raise ServiceError(422, "Invalid input file: the file is empty")
    pages: List[np.ndarray] = []
    try:
        for item in _iter_pdf(data, "input file"):
            if max_pages is not None and len(pages) >= max_pages:
                break
            _check_pixels(item.image.shape[1], item.image.shape[0], max_pixels,
                          f"PDF page {len(pages) + 1}")
            pages.append(item.image)
    except InvalidArgumentError as err:
        raise ServiceError(422, f"Invalid input file: {' '.join(str(err).split())}") from None
    if not pages:
        raise ServiceError(422, "Invalid input file: the PDF has no pages")
    return pages


def _magic_file_type(data: bytes) -> str:
    return "PDF" if data.lstrip()[:4] == b"%PDF" else "IMAGE"


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, check):
        super().__init__()
        self._check = check

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self._check(newurl)  # every hop must be http(s) and on the allow list
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Service:
    """One loaded pipeline, its thread pool and the admission counter."""

    def __init__(self, settings: ServiceSettings, ocr: Any = None):
        self.settings = settings
        self.ocr = ocr
        self.executor: Optional[ThreadPoolExecutor] = None
        self.admitted = 0  # requests admitted and not answered yet (event loop only)

    # lifecycle
    def start(self) -> None:
        if self.ocr is None:
            from ..pipeline import PaddleOCR

            self.ocr = PaddleOCR(**self.settings.pipeline_kwargs)
        self.executor = ThreadPoolExecutor(max(1, self.settings.max_concurrency),
                                           thread_name_prefix="ppocr-serve")

    def stop(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None

    # admission
    def try_admit(self) -> bool:
        limit = max(1, self.settings.max_concurrency) + max(0, self.settings.queue_size)
        if self.admitted >= limit:
            return False
        self.admitted += 1
        return True

    def release(self) -> None:
        self.admitted -= 1

    # inputs
    def check_url(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServiceError(403, f"URL not allowed: {url}")
        allow = [h.strip().lower() for h in self.settings.url_allow_list if h.strip()]
        if allow and parts.hostname.lower() not in allow:
            raise ServiceError(403, f"URL host {parts.hostname!r} is not in the allow list")

    def fetch_url(self, url: str) -> bytes:
        self.check_url(url)
        opener = urllib.request.build_opener(_CheckedRedirects(self.check_url))
        limit = self.settings.max_body_bytes
        try:
            with opener.open(url, timeout=URL_FETCH_TIMEOUT) as resp:
                data = resp.read(limit + 1)
        except ServiceError:
            raise
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise ServiceError(422, f"Failed to download the input file: {err}") from None
        if len(data) > limit:
            raise ServiceError(413, f"The downloaded file is over the {limit} byte limit")
        return data

    def load(self, request: InferRequest) -> Tuple[List[np.ndarray], Dict[str, Any]]:
        """The request's images (pages) and PaddleX's dataInfo."""
        s = self.settings
        text = request.file
        is_url = text.startswith(("http://", "https://"))
        file_type = None if request.fileType is None else ("PDF" if request.fileType == 0
                                                            else "IMAGE")
        if is_url:
            if not s.allow_url_fetch:
                raise ServiceError(403, "URL input is disabled on this server (--allow_url_fetch)")
            if file_type is None:
                guessed = mimetypes.guess_type(urllib.parse.urlsplit(text).path)[0] or ""
                if guessed == "application/pdf":
                    file_type = "PDF"
                elif guessed.startswith("image/"):
                    file_type = "IMAGE"
            data = self.fetch_url(text)
        else:
            try:
                data = base64.b64decode("".join(text.split()), validate=True)
            except (binascii.Error, ValueError):
                raise ServiceError(422, "Invalid input file: `file` is neither an http(s) URL "
                                        "nor valid Base64") from None
        if file_type is None:
            file_type = _magic_file_type(data)
        if file_type == "PDF":
            images = render_pdf(data, s.max_num_input_imgs, s.max_pixels)
            info = {"numPages": len(images),
                    "pages": [{"width": im.shape[1], "height": im.shape[0]} for im in images],
                    "type": "pdf"}
        else:
            images = [decode_image(data, s.max_pixels)]
            info = {"width": images[0].shape[1], "height": images[0].shape[0], "type": "image"}
        return images, info

    def infer(self, request: InferRequest, overrides: Dict[str, Any],
              visualize: bool) -> Dict[str, Any]:
        """Decode, OCR and encode one request (runs in the thread pool)."""
        images, data_info = self.load(request)
        try:
            results = self.ocr.predict(images, **overrides)
        except InvalidArgumentError as err:
            raise ServiceError(422, " ".join(str(err).split())) from None
        items = []
        for image, res in zip(images, results):
            item: Dict[str, Any] = {"prunedResult": prune_result(res.json["res"]),
                                    "ocrImage": None, "docPreprocessingImage": None,
                                    "inputImage": None}
            if visualize:
                imgs = res.img
                item["inputImage"] = encode_jpeg(image)
                item["ocrImage"] = encode_jpeg(imgs["ocr_res_img"])
                if "preprocessed_img" in imgs:
                    item["docPreprocessingImage"] = encode_jpeg(imgs["preprocessed_img"])
            items.append(item)
        return {"ocrResults": items, "dataInfo": data_info}

    def health(self) -> Dict[str, Any]:
        import openvino

        models = {kind: {"name": m.name, "path": m.model_path}
                  for kind, m in (self.ocr.models if self.ocr is not None else {}).items()}
        # What really runs the models (e.g. "openvino on cpu (fp32)"), as PaddleOCR.engine says.
        running = self.ocr.engine if self.ocr is not None else "not loaded"
        device = running.split(" on ", 1)[1].split(" ")[0] if " on " in running else "unknown"
        return {"engine": f"OpenVINO {openvino.__version__}", "runsOn": running, "device": device,
                "models": models, "workerPid": os.getpid(),
                "busy": self.admitted,
                "capacity": max(1, self.settings.max_concurrency) + self.settings.queue_size}


# --- body size limit (pure ASGI, outermost) ---------------------------------------------------

class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 (error schema) when Content-Length or the bytes actually received pass the limit."""

    def __init__(self, app, service: Service):
        self.app, self.service = app, service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.service.settings.max_body_bytes
        message = f"Request body is over the limit of {limit} bytes (--max_body_mb)"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    # Read (and drop) a moderately oversized body first: a client still
                    # sending when the answer comes sees a reset instead of the 413.
                    if int(value) <= _DRAIN_FACTOR * limit:
                        await _drain(receive)
                    await error_response(413, message)(scope, _empty_receive, send)
                    return
        state = {"received": 0, "exceeded": False, "started": False}

        async def limited_receive():
            msg = await receive()
            if msg["type"] == "http.request":
                state["received"] += len(msg.get("body", b""))
                if state["received"] > limit:
                    state["exceeded"] = True
                    raise _BodyTooLarge()
            return msg

        async def guarded_send(msg):
            if state["exceeded"]:
                if msg["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    resp = error_response(413, message)
                    await resp(scope, _empty_receive, send)
                return  # the app's own answer to the aborted read is dropped
            await send(msg)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            pass
        if state["exceeded"] and not state["started"]:
            await error_response(413, message)(scope, _empty_receive, send)


_DRAIN_FACTOR = 4


async def _drain(receive) -> None:
    while True:
        msg = await receive()
        if msg["type"] != "http.request" or not msg.get("more_body", False):
            return


async def _empty_receive():
    return {"type": "http.disconnect"}


# --- the app ------------------------------------------------------------------------------------

def create_app(settings: Optional[ServiceSettings] = None, ocr: Any = None) -> "BodyLimitWrapper":
    """The ASGI app (FastAPI behind the body limit; ``.app`` is the FastAPI app, ``.state``
    its state, ``.state.service`` the Service); the pipeline loads at startup unless ``ocr``
    (a PaddleOCR) is given."""
    settings = settings or ServiceSettings()
    service = Service(settings, ocr)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.get_running_loop().run_in_executor(None, service.start)
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(title="ppocr-native OCR service", version=_version(), lifespan=lifespan,
                  description="PaddleOCR 3.x's general OCR pipeline (basic-serving API).")
    app.state.service = service

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [{"type": e.get("type"), "loc": ".".join(str(p) for p in e.get("loc", ())),
                   "msg": e.get("msg")} for e in exc.errors()]
        return error_response(422, json.dumps(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError):
        return error_response(exc.status, exc.message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        logger.exception("unexpected error")
        return error_response(500, "Internal server error")

    @app.get("/health", operation_id="checkHealth")
    async def health():
        return {"logId": _log_id(), "errorCode": 0, "errorMsg": "Healthy",
                "result": service.health()}

    @app.post("/ocr", operation_id="infer", response_model=InferResponse,
              responses={code: {"model": ErrorResponse} for code in (403, 413, 422, 500, 503)})
    async def infer(request: InferRequest):
        log_id = request.logId or _log_id()
        if request.returnWordBox:
            return error_response(422, "returnWordBox is not supported by this server", log_id)
        overrides = {py: getattr(request, js) for js, py in _OVERRIDES.items()
                     if getattr(request, js) is not None}
        try:
            from ..config import PredictOptions

            PredictOptions(**overrides)  # validates before queueing
        except InvalidArgumentError as err:
            return error_response(422, " ".join(str(err).split()), log_id)
        if not service.try_admit():
            return error_response(503, "Server busy: the request queue is full, retry later",
                                  log_id)
        try:
            visualize = settings.visualize if request.visualize is None else request.visualize
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(service.executor, service.infer, request,
                                                overrides, visualize)
        except ServiceError as err:
            return error_response(err.status, err.message, log_id)
        except Exception:  # answered here, once, with the error schema (and logged)
            logger.exception("request %s failed", log_id)
            return error_response(500, "Internal server error", log_id)
        finally:
            service.release()
        return JSONResponse({"logId": log_id, "errorCode": 0, "errorMsg": "Success",
                             "result": result})

    return BodyLimitWrapper(app, service)


class BodyLimitWrapper(BodyLimitMiddleware):
    """The FastAPI app behind the body limit; ``.app`` / ``.state`` reach the FastAPI app."""

    @property
    def state(self):
        return self.app.state


def _version() -> str:
    from .. import __version__

    return __version__


def create_app_from_env() -> Any:
    """uvicorn factory for worker processes: settings from $PPOCR_SERVE_SETTINGS."""
    raw = json.loads(os.environ.get(ENV_SETTINGS, "{}"))
    return create_app(ServiceSettings(**raw))


def serve(settings: ServiceSettings) -> None:
    """Runs the service with uvicorn (blocks); ``workers`` processes, one pipeline each."""
    import uvicorn

    if settings.workers > 1:
        os.environ[ENV_SETTINGS] = json.dumps(asdict(settings))
        uvicorn.run("ppocr_native.serving.app:create_app_from_env", factory=True,
                    host=settings.host, port=settings.port, workers=settings.workers,
                    log_level="info")
    else:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                    log_level="info")
