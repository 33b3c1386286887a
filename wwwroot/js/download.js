// Starts a download of a same-site URL without leaving the page (the response is an attachment).
export function download(url) {
    const a = document.createElement("a");
    a.href = url;
    a.download = "";
    a.rel = "noopener";
    document.body.appendChild(a);
    a.click();
    a.remove();
}
