"""Interface labels in Korean and English. A tiny dict rather than gettext: the UI has a few dozen
strings and curators edit them here, next to the templates that use them."""

from __future__ import annotations

LANGS = ("ko", "en")
DEFAULT_LANG = "en"

LABELS: dict[str, dict[str, str]] = {
    "site": {"en": "Heritage Graph", "ko": "헤리티지 그래프"},
    "tagline": {
        "en": "A knowledge graph of museum objects, their digital surrogates and files",
        "ko": "박물관 유물과 디지털 자료, 파일을 잇는 지식 그래프",
    },
    "search": {"en": "Search", "ko": "검색"},
    "search_placeholder": {"en": "Search objects, materials, eras…", "ko": "유물, 재질, 시대 검색…"},
    "featured": {"en": "Featured works", "ko": "추천 유물"},
    "results": {"en": "results", "ko": "건"},
    "no_results": {"en": "No works match this search.", "ko": "검색 결과가 없습니다."},
    "filter": {"en": "Filter", "ko": "필터"},
    "clear": {"en": "Clear filters", "ko": "필터 해제"},
    "previous": {"en": "Previous", "ko": "이전"},
    "next": {"en": "Next", "ko": "다음"},
    "page": {"en": "Page", "ko": "페이지"},
    "era": {"en": "Era", "ko": "시대"},
    "material": {"en": "Material", "ko": "재질"},
    "use": {"en": "Use", "ko": "용도"},
    "type": {"en": "Object type", "ko": "유형"},
    "culture": {"en": "Culture", "ko": "문화권"},
    "museum": {"en": "Museum", "ko": "소장처"},
    "title": {"en": "Title", "ko": "명칭"},
    "identifier": {"en": "Identifier", "ko": "식별자"},
    "description": {"en": "Description", "ko": "설명"},
    "date": {"en": "Date", "ko": "연대"},
    "dimensions": {"en": "Dimensions", "ko": "크기"},
    "collection_number": {"en": "Collection number", "ko": "소장품 번호"},
    "material_statement": {"en": "Medium", "ko": "재질 표기"},
    "rights": {"en": "Rights", "ko": "이용 조건"},
    "source": {"en": "Source", "ko": "출처"},
    "layers": {"en": "Digital layers", "ko": "디지털 자료"},
    "project": {"en": "Project", "ko": "사업"},
    "instance": {"en": "Instance", "ko": "디지털 객체"},
    "item": {"en": "File", "ko": "파일"},
    "work": {"en": "Work", "ko": "유물"},
    "download": {"en": "Download", "ko": "내려받기"},
    "viewer_3d": {"en": "3D model", "ko": "3차원 모델"},
    "image": {"en": "Image", "ko": "이미지"},
    "related": {"en": "Related through the graph", "ko": "그래프로 연결된 유물"},
    "shares": {"en": "shares", "ko": "공통"},
    "not_found": {"en": "Not found", "ko": "찾을 수 없습니다"},
    "home": {"en": "Home", "ko": "처음으로"},
    "admin": {"en": "Admin", "ko": "관리"},
    "login": {"en": "Log in", "ko": "로그인"},
    "logout": {"en": "Log out", "ko": "로그아웃"},
    "token": {"en": "Bearer token", "ko": "접근 토큰"},
    "register_work": {"en": "Register a work", "ko": "유물 등록"},
    "upload_file": {"en": "Upload a file to an instance", "ko": "디지털 객체에 파일 올리기"},
    "instance_id": {"en": "Instance id", "ko": "디지털 객체 ID"},
    "file": {"en": "File", "ko": "파일"},
    "upload": {"en": "Upload", "ko": "올리기"},
    "save": {"en": "Save", "ko": "저장"},
    "jobs": {"en": "Processing jobs", "ko": "처리 작업"},
    "status": {"en": "Status", "ko": "상태"},
    "progress": {"en": "Progress", "ko": "진행"},
    "message": {"en": "Message", "ko": "메시지"},
    "created": {"en": "Created", "ko": "생성됨"},
    "represents": {"en": "Represents", "ko": "대상 유물"},
    "produced_by": {"en": "Produced by", "ko": "제작 사업"},
    "part_of": {"en": "Part of", "ko": "소속"},
    "format": {"en": "Format", "ko": "형식"},
    "size": {"en": "Size", "ko": "크기"},
    "project_type": {"en": "Project type", "ko": "사업 유형"},
    "instance_type": {"en": "Instance type", "ko": "객체 유형"},
    "carried_out_by": {"en": "Carried out by", "ko": "수행 기관"},
    "period": {"en": "Period", "ko": "기간"},
    "language": {"en": "한국어", "ko": "English"},
}


def normalise_lang(value: str | None) -> str:
    """A supported language code, falling back to the default for anything else."""
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, lang: str) -> str:
    """The label for ``key`` in ``lang``; the key itself when missing, so a gap is visible, not fatal."""
    entry = LABELS.get(key)
    if not entry:
        return key
    return entry.get(lang) or entry.get(DEFAULT_LANG) or key


def pick(values: dict[str, str] | str | None, lang: str) -> str:
    """One string from a language map: the wanted language, else English, else any."""
    if not values:
        return ""
    if isinstance(values, str):
        return values
    return values.get(lang) or values.get(DEFAULT_LANG) or next(iter(values.values()), "")
