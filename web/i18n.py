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
    # explorers: graph, similarity, restoration studio (web/explorers.py)
    "explore": {"en": "Graph", "ko": "그래프"},
    "graph_explorer": {"en": "Graph explorer", "ko": "그래프 탐색기"},
    "graph_help": {
        "en": "Start from any object, click a node to expand its neighbours, filter by relation.",
        "ko": "유물 하나에서 시작해 노드를 누르면 이웃이 펼쳐집니다. 관계별로 걸러 볼 수 있습니다.",
    },
    "graph_find": {"en": "Find an object to start from…", "ko": "시작할 유물 찾기…"},
    "clusters": {"en": "Show clusters", "ko": "군집 보기"},
    "open_page": {"en": "Open page", "ko": "페이지 열기"},
    "legend": {"en": "Legend", "ko": "범례"},
    "kind_work": {"en": "Work", "ko": "유물"},
    "kind_project": {"en": "Project", "ko": "사업"},
    "kind_instance": {"en": "Instance", "ko": "디지털 객체"},
    "kind_item": {"en": "Item (file)", "ko": "파일"},
    "kind_concept": {"en": "Concept", "ko": "개념"},
    "kind_agent": {"en": "Agent", "ko": "행위자"},
    "kind_museum": {"en": "Museum", "ko": "박물관"},
    "graph_click_hint": {
        "en": "Click a node to expand it; double-click to open its page.",
        "ko": "노드를 누르면 펼쳐지고, 두 번 누르면 해당 페이지가 열립니다.",
    },
    "relations": {"en": "Relations", "ko": "관계"},
    "nodes": {"en": "nodes", "ko": "노드"},
    "edges": {"en": "edges", "ko": "연결"},
    "similarity_explorer": {"en": "Similarity explorer", "ko": "유사도 탐색기"},
    "similar_help": {
        "en": "Upload a photograph to place it on the map of the collection's image embeddings.",
        "ko": "사진을 올리면 소장품 이미지 임베딩 지도 위에 그 위치가 표시됩니다.",
    },
    "upload_image": {"en": "Upload an image", "ko": "이미지 올리기"},
    "or_pick": {"en": "or pick a collection item", "ko": "또는 소장품에서 고르기"},
    "find_similar": {"en": "Find similar", "ko": "유사 유물 찾기"},
    "embedding_map": {"en": "Embedding map (PCA, 2-D)", "ko": "임베딩 지도 (PCA 2차원)"},
    "encoder": {"en": "Encoder", "ko": "인코더"},
    "your_image": {"en": "Your image", "ko": "올린 이미지"},
    "nearest": {"en": "Nearest works", "ko": "가장 가까운 유물"},
    "attribute_probabilities": {"en": "Attribute probabilities", "ko": "속성 확률"},
    "representatives": {"en": "Representative works per attribute", "ko": "속성별 대표 유물"},
    "restoration_studio": {"en": "Restoration studio", "ko": "복원 작업실"},
    "studio_help": {
        "en": "Pick or upload an image, mark the damage (or detect it), restore, compare, save as a derived file.",
        "ko": "이미지를 고르거나 올리고, 손상 부위를 표시(또는 자동 검출)한 뒤 복원하고 비교해 파생 파일로 저장합니다.",
    },
    "damage_mask": {"en": "Damage mask", "ko": "손상 마스크"},
    "detect_damage": {"en": "Detect damage", "ko": "손상 자동 검출"},
    "brush": {"en": "Brush", "ko": "붓"},
    "eraser": {"en": "Eraser", "ko": "지우개"},
    "brush_size": {"en": "Brush size", "ko": "붓 크기"},
    "clear_mask": {"en": "Clear mask", "ko": "마스크 지우기"},
    "masked_pixels": {"en": "pixels marked", "ko": "픽셀 표시됨"},
    "method": {"en": "Method", "ko": "방법"},
    "restore": {"en": "Restore", "ko": "복원"},
    "style_transfer": {"en": "Style transfer", "ko": "화풍 변환"},
    "method_auto": {"en": "Automatic (shadows, then inpainting)", "ko": "자동 (그림자 후 인페인팅)"},
    "method_telea": {"en": "Inpaint: Telea", "ko": "인페인팅: Telea"},
    "method_ns": {"en": "Inpaint: Navier-Stokes", "ko": "인페인팅: 나비에-스토크스"},
    "method_biharmonic": {"en": "Inpaint: biharmonic", "ko": "인페인팅: 쌍조화"},
    "method_exemplar": {"en": "Inpaint: exemplar (patches)", "ko": "인페인팅: 예제 패치"},
    "method_blend": {"en": "Inpaint: blend of methods", "ko": "인페인팅: 혼합"},
    "method_shadow": {"en": "Shadow removal", "ko": "그림자 제거"},
    "method_sr": {"en": "Super-resolution", "ko": "초해상도"},
    "method_reinhard": {"en": "Colour statistics (Reinhard)", "ko": "색 통계 변환 (Reinhard)"},
    "method_gatys": {"en": "Neural style (MobileNetV2 features)", "ko": "신경망 화풍 (MobileNetV2 특징)"},
    "style_image": {"en": "Style exemplar", "ko": "화풍 예시"},
    "run": {"en": "Run", "ko": "실행"},
    "save_derived": {"en": "Save as derived item", "ko": "파생 파일로 저장"},
    "signed_in_as": {"en": "Signed in as", "ko": "로그인:"},
    "save_needs_login": {
        "en": "Saving a result as a derived item needs a curator session.",
        "ko": "결과를 파생 파일로 저장하려면 관리자 로그인이 필요합니다.",
    },
    "original_and_mask": {"en": "Original and damage mask", "ko": "원본과 손상 마스크"},
    "studio_pick_first": {
        "en": "Pick or upload an image to begin.",
        "ko": "먼저 이미지를 고르거나 올리세요.",
    },
    "before_after": {"en": "Before / after", "ko": "복원 전 / 후"},
    "before": {"en": "Before", "ko": "전"},
    "after": {"en": "After", "ko": "후"},
    "similar_items": {"en": "Similar works", "ko": "유사 유물"},
    "from_run": {"en": "From the similarity run", "ko": "유사도 실행 결과"},
    "computed_by": {"en": "Computed with", "ko": "계산 모델"},
    "similarity": {"en": "similarity", "ko": "유사도"},
    "predicted_attributes": {"en": "Predicted attributes", "ko": "예측된 속성"},
    "predictions_note": {
        "en": "Machine predictions, kept apart from the curated record.",
        "ko": "기계 예측 값이며, 학예 기록과 구분해 보관합니다.",
    },
    "attribute": {"en": "Attribute", "ko": "속성"},
    "value": {"en": "Value", "ko": "값"},
    "confidence": {"en": "Confidence", "ko": "신뢰도"},
    "run_label": {"en": "Model run", "ko": "모델 실행"},
    "restored_items": {"en": "Restored and derived files", "ko": "복원·파생 파일"},
    "derived_from": {"en": "from", "ko": "원본"},
    "open_in_graph": {"en": "Explore in the graph", "ko": "그래프에서 보기"},
    "open_in_studio": {"en": "Open in the restoration studio", "ko": "복원 작업실에서 열기"},
    "studio": {"en": "Studio", "ko": "복원"},
    "similar_nav": {"en": "Similar", "ko": "유사도"},
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
