import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useEffect } from "react";
import { ErrorSummary, TextArea, TextField, useFieldErrorMessages } from "~/components/form-fields";
import { getAppealHeader } from "~/domain/appeal-editing";
import {
  addAttachment,
  listAttachments,
  maxUploadMegabytes,
  moveAttachment,
  prepareAttachmentUpload,
  removeAttachment,
  updateAttachmentDetails,
  uploadProblemError,
  validateAttachmentDetails,
  type AttachmentView,
} from "~/domain/attachments";
import type { FieldErrors } from "~/domain/validation";
import { readFormFields } from "~/http";
import { pageTitle } from "~/i18n/meta";
import { useT } from "~/i18n/react";
import { readMultipartForm, RequestTooLarge } from "~/infra/multipart.server";
import type { Database } from "~/infra/db.server";
import { requireOrganizer } from "~/infra/organizer-guard.server";
import { maxUploadBytes } from "~/infra/uploads.server";

/**
 * An appeal's attachments: upload (multipart form), describe, reorder and remove, each with a
 * plain form so that all of it works without JavaScript. After each change the page redirects
 * back here with a notice in the query and the changed attachment's anchor.
 */
export const meta: MetaFunction = ({ matches }) => [{ title: pageTitle(matches, { id: "attachments.title" }) }];

const detailFields = ["altText", "caption", "credit"] as const;
type DetailField = (typeof detailFields)[number];
type TypedDetails = Record<DetailField, string>;
/** The upload form's fields in page order, for the error summary. */
const uploadFields = ["file", ...detailFields];
const acceptedTypes = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf";

async function appealIdOr404(context: LoaderFunctionArgs["context"], params: LoaderFunctionArgs["params"]): Promise<string> {
  const appeal = await getAppealHeader(context.db, params.id ?? "", context.locale);
  if (!appeal) throw data(null, { status: 404 });
  return appeal.id;
}

const pagePath = (appealId: string) => `/organize/appeals/${appealId}/attachments`;

type Notice = { kind: "uploaded" | "saved"; attachmentId: string } | { kind: "moved"; attachmentId: string; direction: "up" | "down" } | { kind: "removed" };

function readNotice(query: URLSearchParams): Notice | null {
  for (const kind of ["uploaded", "saved"] as const) {
    const attachmentId = query.get(kind);
    if (attachmentId) return { kind, attachmentId };
  }
  const moved = query.get("moved");
  if (moved) return { kind: "moved", attachmentId: moved, direction: query.get("direction") === "up" ? "up" : "down" };
  return query.has("removed") ? { kind: "removed" } : null;
}

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = await appealIdOr404(context, params);
  const attachments = await listAttachments(context.db, appealId);
  const query = new URL(request.url).searchParams;
  return {
    appealId,
    attachments,
    notice: readNotice(query),
    removing: attachments.find((attachment) => attachment.id === query.get("remove")) ?? null,
    maxMegabytes: maxUploadMegabytes,
  };
}

function typedDetails(fields: Map<string, string>): TypedDetails {
  return { altText: fields.get("altText") ?? "", caption: fields.get("caption") ?? "", credit: fields.get("credit") ?? "" };
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  requireOrganizer(context, "editAppeals");
  const appealId = await appealIdOr404(context, params);
  if (request.headers.get("content-type")?.startsWith("multipart/form-data")) return upload(request, context.db, appealId);

  const page = pagePath(appealId);
  const notFound = () => data(null, { status: 404 });
  const form = await readFormFields(request);
  if (!form) throw data(null, { status: 400 });
  const attachmentId = form.get("attachmentId") ?? "";
  const intent = form.get("intent");
  if (intent === "saveDetails") {
    const fields = typedDetails(form);
    const validated = validateAttachmentDetails(fields);
    if (!validated.ok) return data({ form: "details" as const, attachmentId, fieldErrors: validated.fieldErrors, fields }, { status: 400 });
    if (!(await updateAttachmentDetails(context.db, appealId, attachmentId, validated.value))) throw notFound();
    return redirect(`${page}?saved=${attachmentId}#attachment-${attachmentId}`, 303);
  }
  if (intent === "moveUp" || intent === "moveDown") {
    const direction = intent === "moveUp" ? "up" : "down";
    if (!(await moveAttachment(context.db, appealId, attachmentId, direction))) throw notFound();
    return redirect(`${page}?moved=${attachmentId}&direction=${direction}#attachment-${attachmentId}`, 303);
  }
  if (intent === "remove") {
    if (!(await removeAttachment(context.db, appealId, attachmentId))) throw notFound();
    return redirect(`${page}?removed=1`, 303);
  }
  throw data(null, { status: 400 });
}

/** The upload form (multipart): checked, processed and stored, or given back with its problems. */
async function upload(request: Request, db: Database, appealId: string) {
  let form;
  try {
    form = await readMultipartForm(request, { fileField: "file", maxFileBytes: maxUploadBytes });
  } catch (error) {
    if (!(error instanceof RequestTooLarge)) throw error;
    // The body was not read, so there is nothing typed to give back.
    const fieldErrors: FieldErrors = { file: uploadProblemError("tooLarge") };
    return data({ form: "upload" as const, fieldErrors, fields: typedDetails(new Map()), fileName: null }, { status: 413 });
  }
  if (!form) throw data(null, { status: 400 });
  const fields = typedDetails(form.fields);
  const prepared = await prepareAttachmentUpload(fields, form.file);
  if (!prepared.ok) {
    const fileName = form.file.status === "none" ? null : form.file.fileName;
    return data({ form: "upload" as const, fieldErrors: prepared.fieldErrors, fields, fileName }, { status: 400 });
  }
  const { upload, details, fileName } = prepared.value;
  const { id } = await addAttachment(db, appealId, upload, { ...details, fileName });
  return redirect(`${pagePath(appealId)}?uploaded=${id}#attachment-${id}`, 303);
}

export default function AppealAttachmentsPage() {
  const { appealId, attachments, notice, removing, maxMegabytes } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const { t } = useT();
  useFocusAfterMove(notice);

  if (removing) return <RemoveConfirmation attachment={removing} page={pagePath(appealId)} />;

  const detailsFailure = failure?.form === "details" ? failure : null;
  const uploadFailure = failure?.form === "upload" ? failure : null;
  // Each attachment's form has its own field ids, so the summary links to that form's fields.
  const summaryErrors = detailsFailure ? keyedById(detailsFailure.fieldErrors, detailsFailure.attachmentId) : uploadFailure?.fieldErrors;
  const summaryOrder = detailsFailure ? detailFields.map((field) => `${field}-${detailsFailure.attachmentId}`) : uploadFields;

  return (
    <div className="attachments-page">
      <ErrorSummary fieldErrors={summaryErrors} order={summaryOrder} />
      {/* Always in the page, so that screen readers announce a notice that appears in it. */}
      <div role="status">{failure ? null : <NoticeLine notice={notice} attachments={attachments} />}</div>
      <p className="lead">{t("attachments.intro")}</p>
      <p className="attachments-privacy">{t("attachments.privacy")}</p>

      <section aria-labelledby="gallery-heading">
        <h2 id="gallery-heading">{t("attachments.listHeading")}</h2>
        {attachments.length === 0 ? (
          <p>{t("attachments.empty")}</p>
        ) : (
          <ol className="attachment-list">
            {attachments.map((attachment, index) => (
              <AttachmentItem
                key={attachment.id}
                attachment={attachment}
                position={index + 1}
                count={attachments.length}
                failure={detailsFailure?.attachmentId === attachment.id ? detailsFailure : null}
              />
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="upload-heading" className="attachment-upload">
        <h2 id="upload-heading">{t("attachments.uploadHeading")}</h2>
        <UploadForm
          // A new form after each upload, so the fields are empty again when JavaScript kept the page.
          key={notice?.kind === "uploaded" ? notice.attachmentId : "upload"}
          failure={uploadFailure}
          maxMegabytes={maxMegabytes}
        />
      </section>
    </div>
  );
}

function keyedById(fieldErrors: FieldErrors, attachmentId: string): FieldErrors {
  return Object.fromEntries(Object.entries(fieldErrors).map(([field, error]) => [`${field}-${attachmentId}`, error]));
}

/**
 * With JavaScript the list is re-rendered in place, and the button just pressed may lose the
 * focus as its item moves; put it back, so Enter can be pressed again. (Without JavaScript the
 * page loads at the item's anchor.)
 */
function useFocusAfterMove(notice: Notice | null) {
  const { key } = useLocation();
  const moved = notice?.kind === "moved" ? notice : null;
  const [attachmentId, direction] = [moved?.attachmentId, moved?.direction];
  useEffect(() => {
    if (!attachmentId) return;
    const pressed = document.getElementById(`move-${direction}-${attachmentId}`);
    // At the top or bottom that button is gone; the other one stays.
    (pressed ?? document.getElementById(`move-${direction === "up" ? "down" : "up"}-${attachmentId}`))?.focus();
  }, [key, attachmentId, direction]);
}

function NoticeLine({ notice, attachments }: { notice: Notice | null; attachments: AttachmentView[] }) {
  const { t } = useT();
  if (!notice) return null;
  let text: string | null = null;
  if (notice.kind === "removed") text = t("attachments.noticeRemoved");
  else {
    const index = attachments.findIndex((attachment) => attachment.id === notice.attachmentId);
    const fileName = attachments[index]?.fileName;
    if (fileName === undefined) return null;
    if (notice.kind === "uploaded") text = t("attachments.noticeUploaded", { fileName });
    else if (notice.kind === "saved") text = t("attachments.noticeSaved", { fileName });
    else text = t("attachments.noticeMoved", { fileName, position: index + 1 });
  }
  return <p className="notice success">{text}</p>;
}

function useFileSize() {
  const { t } = useT();
  return (bytes: number) =>
    bytes < 1024 * 1024 ? t("attachments.sizeKilobytes", { size: Math.max(1, bytes / 1024) }) : t("attachments.sizeMegabytes", { size: bytes / (1024 * 1024) });
}

/** The image as visitors see it, or a PDF card; decorative here, the item's heading names it. */
function AttachmentPreview({ attachment }: { attachment: AttachmentView }) {
  return (
    <div className="attachment-preview">
      {attachment.display ? (
        <img src={attachment.display.url} width={attachment.display.width} height={attachment.display.height} alt="" loading="lazy" />
      ) : (
        <span className="document-icon" aria-hidden="true">
          PDF
        </span>
      )}
    </div>
  );
}

function AttachmentFacts({ attachment }: { attachment: AttachmentView }) {
  const { t } = useT();
  const size = useFileSize()(attachment.original.byteSize);
  const isPdf = attachment.kind === "PDF";
  return (
    <p className="attachment-facts">
      {t(isPdf ? "attachments.factsPdf" : "attachments.factsImage", { size })} ·{" "}
      <a href={attachment.original.url}>{t(isPdf ? "attachments.openPdf" : "attachments.openImage")}</a>
    </p>
  );
}

function AttachmentItem({
  attachment,
  position,
  count,
  failure,
}: {
  attachment: AttachmentView;
  position: number;
  count: number;
  failure: { fieldErrors: FieldErrors; fields: TypedDetails } | null;
}) {
  const { t } = useT();
  const message = useFieldErrorMessages(failure?.fieldErrors);
  const id = attachment.id;
  const fieldId = (field: DetailField) => `${field}-${id}`;
  const value = (field: DetailField) => (failure ? failure.fields[field] : (attachment[field] ?? ""));
  const itemName = <span className="visually-hidden"> {attachment.fileName}</span>;
  return (
    <li className="attachment" id={`attachment-${id}`} aria-labelledby={`attachment-${id}-name`}>
      <AttachmentPreview attachment={attachment} />
      <div className="attachment-main">
        <h3 id={`attachment-${id}-name`}>{t("attachments.itemHeading", { position, fileName: attachment.fileName })}</h3>
        <AttachmentFacts attachment={attachment} />
        <Form method="post" className="form attachment-details" preventScrollReset>
          <input type="hidden" name="attachmentId" value={id} />
          <TextArea
            name="altText"
            id={fieldId("altText")}
            label={t("attachments.altTextLabel")}
            hint={t(attachment.kind === "PDF" ? "attachments.altTextHintPdf" : "attachments.altTextHintImage")}
            error={message("altText")}
            defaultValue={value("altText")}
            rows={2}
          />
          <TextArea name="caption" id={fieldId("caption")} label={t("attachments.captionLabel")} optional error={message("caption")} defaultValue={value("caption")} rows={2} />
          <TextField name="credit" id={fieldId("credit")} label={t("attachments.creditLabel")} optional error={message("credit")} defaultValue={value("credit")} />
          <button type="submit" name="intent" value="saveDetails" className="button secondary">
            {t("attachments.saveDetails")}
            {itemName}
          </button>
        </Form>
        <div className="attachment-actions">
          {position > 1 ? <MoveButton attachmentId={id} direction="up" itemName={itemName} /> : null}
          {position < count ? <MoveButton attachmentId={id} direction="down" itemName={itemName} /> : null}
          <Link to={`?remove=${id}`} className="remove-link">
            {t("attachments.remove")}
            {itemName}
          </Link>
        </div>
      </div>
    </li>
  );
}

function MoveButton({ attachmentId, direction, itemName }: { attachmentId: string; direction: "up" | "down"; itemName: React.ReactNode }) {
  const { t } = useT();
  return (
    <Form method="post">
      <input type="hidden" name="attachmentId" value={attachmentId} />
      <button type="submit" name="intent" value={direction === "up" ? "moveUp" : "moveDown"} id={`move-${direction}-${attachmentId}`} className="button secondary small">
        <span aria-hidden="true">{direction === "up" ? "↑" : "↓"} </span>
        {t(direction === "up" ? "attachments.moveUp" : "attachments.moveDown")}
        {itemName}
      </button>
    </Form>
  );
}

function UploadForm({
  failure,
  maxMegabytes,
}: {
  failure: { fieldErrors: FieldErrors; fields: TypedDetails; fileName: string | null } | null;
  maxMegabytes: number;
}) {
  const { t } = useT();
  const message = useFieldErrorMessages(failure?.fieldErrors);
  const navigation = useNavigation();
  const uploading = navigation.state === "submitting" && navigation.formEncType === "multipart/form-data";
  // A page that comes back without JavaScript has lost the chosen file, though it was fine.
  const chooseAgain = failure?.fileName && !failure.fieldErrors.file ? failure.fileName : null;
  return (
    <Form method="post" encType="multipart/form-data" className="form" aria-labelledby="upload-heading">
      <TextField
        type="file"
        name="file"
        accept={acceptedTypes}
        label={t("attachments.fileLabel")}
        hint={
          <>
            {t("attachments.fileHint", { max: maxMegabytes })}
            {chooseAgain ? (
              <>
                <br />
                {t("attachments.chooseAgain", { fileName: chooseAgain })}
              </>
            ) : null}
          </>
        }
        error={message("file")}
      />
      <TextArea name="altText" label={t("attachments.altTextLabel")} hint={t("attachments.altTextHint")} error={message("altText")} defaultValue={failure?.fields.altText} rows={2} />
      <TextArea name="caption" label={t("attachments.captionLabel")} hint={t("attachments.captionHint")} optional error={message("caption")} defaultValue={failure?.fields.caption} rows={2} />
      <TextField name="credit" label={t("attachments.creditLabel")} hint={t("attachments.creditHint")} optional error={message("credit")} defaultValue={failure?.fields.credit} />
      <button type="submit" name="intent" value="upload" className="button" disabled={uploading}>
        {uploading ? t("attachments.uploading") : t("attachments.upload")}
      </button>
    </Form>
  );
}

function RemoveConfirmation({ attachment, page }: { attachment: AttachmentView; page: string }) {
  const { t } = useT();
  return (
    <section className="attachment-remove" aria-labelledby="remove-heading">
      <h2 id="remove-heading">{t("attachments.removeTitle", { fileName: attachment.fileName })}</h2>
      <div className="attachment">
        <AttachmentPreview attachment={attachment} />
        <div className="attachment-main">
          <p>{attachment.altText}</p>
          <AttachmentFacts attachment={attachment} />
        </div>
      </div>
      <p>{t("attachments.removeBody")}</p>
      <Form method="post" action={page} className="button-row">
        <input type="hidden" name="attachmentId" value={attachment.id} />
        <button type="submit" name="intent" value="remove" className="button danger">
          {t("attachments.removeConfirm")}
        </button>
        <Link to={page}>{t("attachments.removeCancel")}</Link>
      </Form>
    </section>
  );
}
