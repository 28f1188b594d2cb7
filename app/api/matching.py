from fastapi import APIRouter, Request

from app.api.deps import SessionDep, SettingsDep
from app.api.problems import problems
from app.api.search_mirror import SearchMirror
from app.domain import matching
from app.domain.page_tokens import PageTokens
from app.domain.schemas import Match, MatchRequest, MatchResponse

router = APIRouter(tags=["search"])


@router.post(
    "/v1/match",
    summary="The fact-checks that concern each of up to 20 posts or sentences",
    responses=problems(413, 422),
)
def match_texts(
    session: SessionDep, settings: SettingsDep, request: Request, data: MatchRequest
) -> MatchResponse:
    tokens: PageTokens = request.app.state.page_tokens
    mirror: SearchMirror = request.app.state.search_mirror
    found = matching.match(
        session,
        data.texts,
        data.language,
        data.limit,
        settings.match_threshold,
        tokens,
        request.app.state.embed,
        mirror.index if mirror.usable() else None,
    )
    return MatchResponse(
        matches=[
            [Match(claim=s.result.claim, reviews=s.result.reviews, score=s.score) for s in text]
            for text in found
        ]
    )
