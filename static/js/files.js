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
      const failure = new Error(error.message || `${response.status} ${response.statusText}`);
      failure.status = response.status;
      failure.code = error.code;
      throw failure;
    }
    return data;
  }

  // As apps.files.services.uploads.part_layout: whole MiB, within the store's part limit.
  const partSize = (size) =>
    Math.max(partBytes, Math.ceil(size / maxParts / MIB) * MIB);

  // A file the server refuses before any byte is sent, said in the page's words: the type's
  // refusal names the allowed kinds instead of a MIME type people do not know.
  async function initiate(file, signal) {
    try {
      return await api("POST", root.dataset.initiate, {
        name: file.name,
        size: file.size,
        content_type: file.type || "",
      }, signal);
    } catch (error) {
      if (error.code === "file_type_not_allowed") error.message = words.typeRefused;
      throw error;
    }
  }

  const complete = (fileId, parts, signal) =>
    api("POST", root.dataset.complete, parts ? { file_id: fileId, parts } : { file_id: fileId }, signal);

  // Uppy's Japanese where the page is Japanese, and over it (in every language) Kura's own
  // strings, translated by the server (apps/files/uploader.py).
  const words = JSON.parse(document.getElementById("uploader-words").textContent);
  const ja = document.documentElement.lang === "ja" && Uppy.locales && Uppy.locales.ja_JP;

  // Why each file was not uploaded, written out under the dashboard (Uppy keeps it behind a
  // "?"); gone again when the file goes up after all or is removed.
  const refused = new Map();
  const refusedBox = document.querySelector("[data-testid=upload-refused]");
  function showRefused() {
    const list = refusedBox.querySelector("ul");
    list.replaceChildren(
      ...[...refused.values()].map(({ name, message }) => {
        const item = document.createElement("li");
        const strong = document.createElement("strong");
        strong.textContent = name;
        item.append(strong, ": ", message);
        return item;
      }),
    );
    refusedBox.hidden = refused.size === 0;
  }

  const uppy = new Uppy.Uppy({
    autoProceed: true,
    locale: {
      strings: { ...(ja ? ja.strings : {}), ...words.uppy },
      pluralize: ja ? ja.pluralize : (n) => (n === 1 ? 0 : 1),
    },
  });
  uppy.use(Uppy.Dashboard, {
    inline: true,
    target: root,
    width: "100%",
    // Tall enough for a restored session's note above the file it restored and its link.
    height: 420,
    proudlyDisplayPoweredByUppy: false,
    // No bytes-and-time line: its estimate starts at "0s left" and, smoothed from the first
    // slow seconds (the server's answers before any byte), said "40 s left" for an upload
    // of 4 s. The percentage and each file's own progress stay.
    hideProgressDetails: true,
    hideProgressAfterFinish: false,
    // Uppy's own previews of the chosen pictures: PNG keeps transparency (its JPEG default
    // drew a transparent picture on black).
    thumbnailType: "image/png",
    doneButtonHandler: () => {
      uppy.clear();
      refused.clear();
      showRefused();
    },
  });
  uppy.use(Uppy.GoldenRetriever, { serviceWorker: false });
  uppy.use(Uppy.AwsS3, {
    limit: 4,
    shouldUseMultipart: (file) => file.size > singlePutMax,
    getChunkSize: (file) => partSize(file.size),

    // One PUT: the URL and headers to send it with; completed after it (the postprocessor).
    // A try before this one that did not go up is given up first, so a file sent again
    // holds its room in the company's storage once (each try is an upload of its own).
    async getUploadParameters(file, { signal }) {
      const before = uppy.getFile(file.id);
      if (before && before.meta.kuraMethod === "put" && !before.meta.kuraCompleted && before.meta.kuraFileId) {
        await api("DELETE", `${root.dataset.upload}${before.meta.kuraFileId}`, undefined, signal).catch(() => null);
      }
      const ticket = await initiate(file, signal);
      uppy.setFileMeta(file.id, { kuraFileId: ticket.file_id, kuraMethod: ticket.method });
      return { method: "PUT", url: ticket.url, headers: ticket.headers };
    },

    async createMultipartUpload(file) {
      const ticket = await initiate(file);
      uppy.setFileMeta(file.id, { kuraFileId: ticket.file_id, kuraMethod: ticket.method });
      return { uploadId: ticket.file_id, key: ticket.file_id };
    },
    // Resuming (after a pause, a reload or a lost connection): the parts the store has are not
    // sent again. When the server cannot list them now (parts_unavailable), every part this
    // page has not seen confirmed goes again; when the upload is no longer open (aborted:
    // given up on, or lost by the store), it begins anew under a new id, from part 1.
    async listParts(file, { uploadId, signal }) {
      const id = kuraId(file, uploadId);
      try {
        const answer = await api("GET", `${root.dataset.upload}${id}/parts`, undefined, signal);
        return answer.parts.map((p) => ({ PartNumber: p.part_number, Size: p.size, ETag: p.etag }));
      } catch (error) {
        if (error.code === "parts_unavailable") return [];
        if (error.status !== 409) throw error;
        const ticket = await initiate(file, signal);
        uppy.setFileMeta(file.id, { kuraFileId: ticket.file_id, kuraMethod: ticket.method });
        return [];
      }
    },
    async signPart(file, { uploadId, partNumber, signal }) {
      const answer = await api(
        "POST",
        `${root.dataset.upload}${kuraId(file, uploadId)}/parts`,
        { part_numbers: [partNumber] },
        signal,
      );
      const part = answer.parts[0];
      return { method: "PUT", url: part.url, headers: part.headers };
    },
    async abortMultipartUpload(file, { uploadId }) {
      await api("DELETE", `${root.dataset.upload}${kuraId(file, uploadId)}`).catch(() => null);
    },
    async completeMultipartUpload(file, { uploadId, parts, signal }) {
      const id = kuraId(file, uploadId);
      const given = parts.map((p) => ({ part_number: p.PartNumber, etag: p.ETag }));
      await complete(id, given, signal);
      return { location: `/files/${id}` };
    },
  });

  // The upload a file goes up as: Uppy's upload id, unless it had to begin anew (listParts).
  function kuraId(file, uploadId) {
    const current = uppy.getFile(file.id);
    return (current && current.meta.kuraFileId) || uploadId;
  }

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

  // A file removed from the dashboard before it went up in one PUT: its upload is given up
  // (Uppy aborts multipart ones itself), so its room in the company's storage is freed now.
  uppy.on("file-removed", (file) => {
    refused.delete(file.id);
    showRefused();
    if (file.meta.kuraMethod === "put" && !file.meta.kuraCompleted && file.meta.kuraFileId) {
      api("DELETE", `${root.dataset.upload}${file.meta.kuraFileId}`).catch(() => null);
    }
  });

  // A refusal of what a file is (its type, size or name, the room left) cannot be helped by
  // sending it again: the file leaves the dashboard, whose other files then say done, and
  // its reason stays written under it. Other failures stay there, with Uppy's retry.
  // A one-PUT try that failed otherwise is given up at once (its room freed; Retry begins a
  // new one); Uppy gives multipart ones up itself.
  const REFUSALS = new Set([413, 422]);
  uppy.on("upload-error", (file, error) => {
    if (!file) return;
    const current = uppy.getFile(file.id) || file;
    if (current.meta.kuraMethod === "put" && !current.meta.kuraCompleted && current.meta.kuraFileId) {
      api("DELETE", `${root.dataset.upload}${current.meta.kuraFileId}`).catch(() => null);
    }
    if (REFUSALS.has(error.status)) {
      uppy.removeFile(file.id);
      if (!uppy.getFiles().some((f) => f.error)) uppy.setState({ error: null });
    }
    refused.set(file.id, { name: file.name, message: error.message });
    showRefused();
  });
  uppy.on("upload-success", (file) => {
    if (file && refused.delete(file.id)) showRefused();
  });

  // A file the server has: the grid below shows it (and keeps asking while it is checked).
  const refresh = () => document.body.dispatchEvent(new CustomEvent("files-changed"));
  uppy.on("complete", refresh);
  uppy.on("upload-error", refresh);
})();
