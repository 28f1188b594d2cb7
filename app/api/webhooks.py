from fastapi import APIRouter, Path, Response

from app.api.deps import KeyDep, SessionDep, SettingsDep, WriteSessionDep
from app.api.problems import WRITE, problems
from app.domain import webhooks
from app.domain.schemas import DeliveryList, WebhookCreate, WebhookCreated, WebhookList

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
WebhookId = Path(description="The subscription's id.", max_length=32)


@router.post(
    "",
    status_code=201,
    summary="Subscribe a URL to review changes (partner or admin); the secret is shown once",
    responses=problems(*WRITE),
)
def create_webhook(
    data: WebhookCreate, principal: KeyDep, session: WriteSessionDep, settings: SettingsDep
) -> WebhookCreated:
    return webhooks.create(session, principal, data, settings)


@router.get("", summary="Your subscriptions", responses=problems(401, 403))
def list_webhooks(principal: KeyDep, session: SessionDep) -> WebhookList:
    return webhooks.list_hooks(session, principal)


@router.delete(
    "/{webhook_id}", status_code=204, summary="Unsubscribe", responses=problems(401, 403, 404)
)
def delete_webhook(
    principal: KeyDep, session: WriteSessionDep, webhook_id: str = WebhookId
) -> Response:
    webhooks.delete(session, principal, webhook_id)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries",
    summary="The delivery log: attempts, statuses, errors",
    responses=problems(401, 403, 404),
)
def list_deliveries(
    principal: KeyDep, session: SessionDep, webhook_id: str = WebhookId
) -> DeliveryList:
    return webhooks.deliveries(session, principal, webhook_id)
