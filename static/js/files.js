// The uploader of /files: Uppy's dashboard (static/vendor/uppy) sending files straight to
// the object store through Kura's upload API. The server chooses how a file goes up: one
// pre-signed PUT up to data-single-put-max bytes, otherwise a multipart upload whose parts
// are as large as the server computes (mirrored by partSize below); the file's id is the
// multipart "upload id" Uppy keeps, so Golden Retriever can resume it after a reload.
(() => {
  const root = document.getElementById("uploader");
  if (!root || !window.Uppy) return;
  const MIB = 1024 * 1024;
  const singlePutMax = Number(root.dataset.singlePutMax);
  const partBytes = Number(root.dataset.partBytes);
  const maxParts = Number(root.dataset.maxParts);
  const csrf = document.body.getAttribute("hx-headers")
    ? JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]
    : "";

  async function api(method, path, body, signal) {
    const response = await fetch(path, {
      method,
      signal,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data && (data.error || data)) || {};
      throw new Error(error.message || `${response.status} ${response.statusText}`);
    }
    return data;
  }

  // As apps.files.services.uploads.part_layout: whole MiB, within the store's part limit.
  const partSize = (size) =>
    Math.max(partBytes, Math.ceil(size / maxParts / MIB) * MIB);

  const initiate = (file, signal) =>
    api("POST", root.dataset.initiate, {
      name: file.name,
      size: file.size,
      content_type: file.type || "",
    }, signal);

  const complete = (fileId, parts, signal) =>
    api("POST", root.dataset.complete, parts ? { file_id: fileId, parts } : { file_id: fileId }, signal);

  const lang = document.documentElement.lang;
  const uppy = new Uppy.Uppy({
    autoProceed: true,
    locale: lang === "ja" && Uppy.locales && Uppy.locales.ja_JP ? Uppy.locales.ja_JP : undefined,
  });
  uppy.use(Uppy.Dashboard, {
    inline: true,
    target: root,
    width: "100%",
    height: 300,
    showProgressDetails: true,
    proudlyDisplayPoweredByUppy: false,
    hideProgressAfterFinish: false,
    doneButtonHandler: () => uppy.clear(),
  });
  uppy.use(Uppy.GoldenRetriever, { serviceWorker: false });
  uppy.use(Uppy.AwsS3, {
    limit: 4,
    shouldUseMultipart: (file) => file.size > singlePutMax,
    getChunkSize: (file) => partSize(file.size),

    // One PUT: the URL and headers to send it with; completed after it (the postprocessor).
    async getUploadParameters(file, { signal }) {
      const ticket = await initiate(file, signal);
      uppy.setFileMeta(file.id, { kuraFileId: ticket.file_id, kuraMethod: ticket.method });
      return { method: "PUT", url: ticket.url, headers: ticket.headers };
    },

    async createMultipartUpload(file) {
      const ticket = await initiate(file);
      uppy.setFileMeta(file.id, { kuraFileId: ticket.file_id, kuraMethod: ticket.method });
      return { uploadId: ticket.file_id, key: ticket.file_id };
    },
    async listParts(file, { uploadId, signal }) {
      const answer = await api("GET", `${root.dataset.upload}${uploadId}/parts`, undefined, signal);
      return answer.parts.map((p) => ({ PartNumber: p.part_number, Size: p.size, ETag: p.etag }));
    },
    async signPart(file, { uploadId, partNumber, signal }) {
      const answer = await api(
        "POST", `${root.dataset.upload}${uploadId}/parts`, { part_numbers: [partNumber] }, signal,
      );
      const part = answer.parts[0];
      return { method: "PUT", url: part.url, headers: part.headers };
    },
    async abortMultipartUpload(file, { uploadId }) {
      await api("DELETE", `${root.dataset.upload}${uploadId}`).catch(() => null);
    },
    async completeMultipartUpload(file, { uploadId, parts, signal }) {
      const given = parts.map((p) => ({ part_number: p.PartNumber, etag: p.ETag }));
      await complete(uploadId, given, signal);
      return { location: `/files/${uploadId}` };
    },
  });

  // Files sent in one PUT are completed here, while the dashboard says "processing".
  uppy.addPostProcessor(async (fileIDs) => {
    for (const id of fileIDs) {
      const file = uppy.getFile(id);
      if (!file || file.meta.kuraMethod !== "put" || file.meta.kuraCompleted) continue;
      uppy.emit("postprocess-progress", file, { mode: "indeterminate" });
      try {
        await complete(file.meta.kuraFileId);
        uppy.setFileMeta(id, { kuraCompleted: true });
      } catch (error) {
        uppy.emit("upload-error", file, error);
      }
      uppy.emit("postprocess-complete", file);
    }
  });

  // A file the server has: the grid below shows it (and keeps asking while it is checked).
  const refresh = () => document.body.dispatchEvent(new CustomEvent("files-changed"));
  uppy.on("complete", refresh);
  uppy.on("upload-error", refresh);
})();
