// What a page does when its connection to the server (its circuit) is lost. A monitoring page must
// recover without anyone touching it:
// - the server answers but no longer holds this page's session (its instance died or restarted; behind the
//   load balancer the answer comes from another instance): reload, which starts a fresh session on a working
//   instance and shows everything that happened meanwhile;
// - Blazor's own attempts are exhausted (no server answers): keep trying every few seconds, and reload as
//   soon as a server answers without this session;
// - the server paused the session (it is shutting down): resume it, or reload when it cannot be resumed.
// The banner says in words what is happening (role=status), never by colour alone.

const probeIntervalMilliseconds = 5000;

const modal = document.getElementById("components-reconnect-modal");
const status = document.getElementById("components-reconnect-status");
let probeTimer = null;
let reloading = false;

modal.addEventListener("components-reconnect-state-changed", handleReconnectStateChanged);
document.getElementById("components-reconnect-button").addEventListener("click", retryNow);
document.getElementById("components-resume-button").addEventListener("click", resume);
document.getElementById("components-reload-button").addEventListener("click", () => reload("Reloading the page…"));

function handleReconnectStateChanged(event) {
    const detail = event.detail;
    switch (detail.state) {
        case "show":
            say("Reconnecting… What the page shows may be out of date until then.");
            open();
            break;
        case "retrying":
            if (detail.currentAttempt > 1 && detail.secondsToNextAttempt > 0) {
                say("Still reconnecting: the server does not answer yet. The page keeps trying by itself.");
            }
            break;
        case "hide":
            stopProbing();
            if (modal.open) {
                modal.close();
            }
            break;
        case "rejected":
            // The server answered and neither knows nor can resume this session.
            reload("The server no longer holds this page's session. Reloading the page…");
            break;
        case "failed":
            say("The server cannot be reached. The page keeps trying every few seconds and reloads by itself once a server answers.");
            open();
            probeUntilAServerAnswers();
            break;
        case "paused":
            if (detail.remote) {
                say("The server paused this page's session. Resuming…");
                open();
                resume();
            } else {
                say("This page's session is paused.");
                open();
            }
            break;
        case "resume-failed":
            say("The session could not be resumed. The page keeps trying every few seconds and reloads by itself once a server answers.");
            open();
            probeUntilAServerAnswers();
            break;
    }
}

function say(text) {
    // Only real changes: a live region that repeats itself every second is noise to a screen reader user.
    if (status.textContent !== text) {
        status.textContent = text;
    }
}

function open() {
    if (!modal.open) {
        modal.showModal();
    }
}

function reload(text) {
    if (reloading) {
        return;
    }

    reloading = true;
    stopProbing();
    say(text);
    open();
    location.reload();
}

function stopProbing() {
    if (probeTimer !== null) {
        clearTimeout(probeTimer);
        probeTimer = null;
    }
}

function probeUntilAServerAnswers() {
    stopProbing();
    probeTimer = setTimeout(async () => {
        probeTimer = null;
        if (!await attempt()) {
            probeUntilAServerAnswers();
        }
    }, probeIntervalMilliseconds);
}

async function retryNow() {
    stopProbing();
    say("Trying to reconnect now…");
    if (!await attempt()) {
        say("The server still cannot be reached. The page keeps trying every few seconds and reloads by itself once a server answers.");
        probeUntilAServerAnswers();
    }
}

// True when the page is connected again or is reloading; false when no server answered.
async function attempt() {
    try {
        // true: reconnected; false: a server answered but rejected this session; an exception: no answer.
        if (await Blazor.reconnect()) {
            return true;
        }

        if (await Blazor.resumeCircuit()) {
            return true;
        }

        reload("The server no longer holds this page's session. Reloading the page…");
        return true;
    } catch {
        return false;
    }
}

async function resume() {
    try {
        if (!await Blazor.resumeCircuit()) {
            reload("The session could not be resumed. Reloading the page…");
        }
    } catch {
        say("The session could not be resumed. The page keeps trying every few seconds and reloads by itself once a server answers.");
        probeUntilAServerAnswers();
    }
}
