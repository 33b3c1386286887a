// The project's own small wrapper around Leaflet: one map per element, disposed with its component.
// Everything the page draws goes through the handle create() returns; the component's C# API calls it.
let leafletLoading;
let clusterLoading;

function loadScript(src) {
    return new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = () => resolve();
        script.onerror = () => reject(new Error(src + " could not be loaded"));
        document.head.appendChild(script);
    });
}

function loadCss(href) {
    if (!document.querySelector(`link[href="${href}"]`)) {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = href;
        document.head.appendChild(css);
    }
}

function loadLeaflet() {
    if (window.L) {
        return Promise.resolve(window.L);
    }
    leafletLoading ??= (async () => {
        loadCss("lib/leaflet/leaflet.css");
        await loadScript("lib/leaflet/leaflet.js");
        return window.L;
    })();
    return leafletLoading;
}

function loadCluster(L) {
    if (L.markerClusterGroup) {
        return Promise.resolve(true);
    }
    clusterLoading ??= (async () => {
        loadCss("lib/leaflet.markercluster/MarkerCluster.css");
        loadCss("lib/leaflet.markercluster/MarkerCluster.Default.css");
        try {
            await loadScript("lib/leaflet.markercluster/leaflet.markercluster.js");
            return !!L.markerClusterGroup;
        } catch {
            return false;
        }
    })();
    return clusterLoading;
}

// Old to new: pale yellow to deep blue (the time is also on the slider, in the card and in the table).
const timeColours = ["#f6d746", "#bddf26", "#7ad151", "#44bf70", "#22a884", "#21918c", "#2a788e", "#355f8d", "#414487", "#482475"];

function colourAt(fraction) {
    const i = Math.min(timeColours.length - 1, Math.max(0, Math.floor(fraction * timeColours.length)));
    return timeColours[i];
}

function bearing(a, b) {
    const toRad = Math.PI / 180;
    const y = Math.sin((b[1] - a[1]) * toRad) * Math.cos(b[0] * toRad);
    const x = Math.cos(a[0] * toRad) * Math.sin(b[0] * toRad) - Math.sin(a[0] * toRad) * Math.cos(b[0] * toRad) * Math.cos((b[1] - a[1]) * toRad);
    return (Math.atan2(y, x) / toRad + 360) % 360;
}

function escapeHtml(text) {
    return String(text ?? "").replace(/[&<>"']/g, ch => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch]));
}

function everyNth(count, most) {
    return Math.max(1, Math.ceil(count / most));
}

const movedHighlightMs = 15000;

/** A subject's pin: initials on a disc (grey and dashed when stale, ringed when it just moved), the fix's age below. */
function pinIcon(p, moved) {
    return L.divIcon({
        className: `subject-pin${p.stale ? " subject-pin--stale" : ""}${moved ? " subject-pin--moved" : ""}`,
        html: `<span class="subject-pin__dot" data-subject-id="${escapeHtml(p.id)}" data-lat="${Number(p.lat).toFixed(5)}" data-lon="${Number(p.lon).toFixed(5)}">${escapeHtml(p.initials)}</span>`
            + `<span class="subject-pin__age">${escapeHtml(p.age)}</span>`,
        iconSize: [30, 30],
        iconAnchor: [15, 15],
    });
}

export async function create(element, options, dotnet) {
    const L = await loadLeaflet();
    // maxZoom on the map itself: without a tile layer Leaflet has no zoom limit, and marker clustering needs one.
    const map = L.map(element, { zoomControl: true, attributionControl: !!options.tileUrl, keyboard: true, maxZoom: options.maxZoom ?? 19 });
    if (options.tileUrl) {
        L.tileLayer(options.tileUrl, { attribution: options.attribution ?? "", maxZoom: options.maxZoom ?? 19 }).addTo(map);
    } else {
        element.classList.add("trail-map--plain");
    }
    L.control.scale({ imperial: false }).addTo(map);

    // Coordinates of the pointer (or the centre), so a plain map without tiles still says where it is.
    const Coordinates = L.Control.extend({
        onAdd() {
            const div = L.DomUtil.create("div", "trail-map__coords leaflet-control");
            div.setAttribute("aria-hidden", "true");
            return div;
        },
    });
    const coords = new Coordinates({ position: "bottomright" }).addTo(map);
    const showCoords = latlng => { coords.getContainer().textContent = `${latlng.lat.toFixed(5)}, ${latlng.lng.toFixed(5)}`; };
    map.on("mousemove", e => showCoords(e.latlng));
    map.on("moveend", () => showCoords(map.getCenter()));

    const zonesLayer = L.layerGroup().addTo(map);
    const trailLayer = L.layerGroup().addTo(map);
    const overlayLayer = L.layerGroup().addTo(map);
    const eventsLayer = L.layerGroup().addTo(map);
    const markersLayer = L.layerGroup().addTo(map);
    const selectionLayer = L.layerGroup().addTo(map);
    const liveLayer = L.layerGroup().addTo(map);
    const draftLayer = L.layerGroup().addTo(map);
    let drawing = null; // "point" or "polygon" while a zone is drawn by clicks
    map.on("click", e => {
        if (drawing && dotnet) {
            dotnet.invokeMethodAsync("MapClicked", e.latlng.lat, e.latlng.lng);
        }
    });
    const overlayRenderer = L.canvas({ padding: 0.2 });
    let trail = null; // { segments: [[[lat, lon, tMs, accuracy, number, speed], ...]], from, to }
    let display = { accuracy: false, arrows: false, numbers: false, until: null };
    let positions = null; // caseload: cluster group and markers by id
    let positionsReady = null;
    // Until the user pans or zooms (pointer, wheel, touch or keys on the map), live moves keep every marker in view.
    let viewChosenByUser = false;
    for (const type of ["mousedown", "wheel", "touchstart", "keydown"]) {
        element.addEventListener(type, () => { viewChosenByUser = true; }, { passive: true });
    }
    map.setView([51.5072, -0.1276], 12);

    function boundsOfAll() {
        const b = L.latLngBounds([]);
        for (const layer of [zonesLayer, trailLayer, eventsLayer, markersLayer, liveLayer]) {
            layer.eachLayer(l => {
                if (l.getBounds) { b.extend(l.getBounds()); } else if (l.getLatLng) { b.extend(l.getLatLng()); }
            });
        }
        if (positions) {
            positions.markers.forEach(m => b.extend(m.getLatLng()));
        }
        return b;
    }

    function visiblePoints() {
        if (!trail) {
            return [];
        }
        const until = display.until;
        return trail.segments.map(s => until == null ? s : s.filter(p => p[2] <= until));
    }

    function nearestPoint(latlng) {
        let best = null;
        let bestDistance = Infinity;
        for (const segment of visiblePoints()) {
            for (const p of segment) {
                const d = map.distance(latlng, [p[0], p[1]]);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = p;
                }
            }
        }
        return best;
    }

    function drawTrail() {
        trailLayer.clearLayers();
        overlayLayer.clearLayers();
        if (!trail) {
            return;
        }
        const span = Math.max(1, trail.to - trail.from);
        const segments = visiblePoints();
        for (const segment of segments) {
            if (segment.length === 0) {
                continue;
            }
            if (segment.length === 1) {
                L.circleMarker([segment[0][0], segment[0][1]], { radius: 3, className: "trail-line", color: colourAt((segment[0][2] - trail.from) / span), weight: 2 }).addTo(trailLayer);
                continue;
            }
            // One polyline per run of the same time colour; neighbouring runs share their joining vertex.
            let run = [[segment[0][0], segment[0][1]]];
            let colour = colourAt((segment[0][2] - trail.from) / span);
            for (let i = 1; i < segment.length; i++) {
                const p = segment[i];
                run.push([p[0], p[1]]);
                const c = colourAt((p[2] - trail.from) / span);
                if (c !== colour || i === segment.length - 1) {
                    L.polyline(run, { color: colour, weight: 4, opacity: 0.9, className: "trail-line" }).addTo(trailLayer);
                    run = [[p[0], p[1]]];
                    colour = c;
                }
            }
        }
        trailLayer.eachLayer(l => l.on("click", e => {
            const p = nearestPoint(e.latlng);
            if (p && dotnet) {
                dotnet.invokeMethodAsync("PointClicked", p[4]);
            }
        }));

        const all = segments.flat();
        if (display.accuracy) {
            const step = everyNth(all.length, 600);
            for (let i = 0; i < all.length; i += step) {
                const p = all[i];
                L.circle([p[0], p[1]], { radius: p[3], renderer: overlayRenderer, color: "#355f8d", weight: 1, opacity: 0.5, fillOpacity: 0.06, interactive: false }).addTo(overlayLayer);
            }
        }
        if (display.arrows) {
            for (const segment of segments) {
                const step = everyNth(all.length, 150);
                for (let i = step; i < segment.length; i += step) {
                    const a = segment[i - 1];
                    const b = segment[i];
                    const angle = bearing(a, b);
                    L.marker([b[0], b[1]], {
                        interactive: false, keyboard: false,
                        icon: L.divIcon({ className: "trail-arrow", html: `<span style="transform: rotate(${angle - 90}deg)">➤</span>`, iconSize: [16, 16] }),
                    }).addTo(overlayLayer);
                }
            }
        }
        if (display.numbers) {
            const step = everyNth(all.length, 200);
            for (let i = 0; i < all.length; i += step) {
                const p = all[i];
                L.marker([p[0], p[1]], {
                    interactive: false, keyboard: false,
                    icon: L.divIcon({ className: "trail-number", html: `<span>${p[4]}</span>`, iconSize: null }),
                }).addTo(overlayLayer);
            }
        }
    }

    function fitAll() {
        const b = boundsOfAll();
        if (b.isValid()) {
            map.fitBounds(b, { padding: [24, 24], maxZoom: 17 });
        }
    }

    return {
        /** Generic markers, each with an accuracy circle when it has one; the map fits them. */
        setMarkers(markers) {
            markersLayer.clearLayers();
            const bounds = [];
            for (const m of markers) {
                if (m.accuracyM) {
                    L.circle([m.lat, m.lon], { radius: m.accuracyM, color: m.colour, weight: 1, fillOpacity: 0.15 }).addTo(markersLayer);
                }
                L.circleMarker([m.lat, m.lon], { radius: 7, color: "#111", weight: 2, fillColor: m.colour, fillOpacity: 1 })
                    .bindTooltip(m.label)
                    .addTo(markersLayer);
                bounds.push([m.lat, m.lon]);
            }
            if (bounds.length === 1) {
                map.setView(bounds[0], 16);
            } else if (bounds.length > 1) {
                map.fitBounds(bounds, { padding: [24, 24] });
            }
        },
        /** The trail: segments of [lat, lon, time (Unix ms), accuracy (m), point number, speed (m/s) or null], and the range. */
        setTrail(value) {
            trail = value;
            liveLayer.clearLayers();
            drawTrail();
        },
        setDisplay(value) {
            display = value;
            drawTrail();
        },
        /** Zones: outline as [lat, lon] pairs, kind Exclusion (red) or Inclusion (green, dashed), a label. */
        setZones(zones) {
            zonesLayer.clearLayers();
            for (const z of zones) {
                const exclusion = z.kind === "Exclusion";
                L.polygon(z.ring, {
                    color: exclusion ? "#c62828" : "#2e7d32",
                    weight: 2,
                    dashArray: exclusion ? null : "6 4",
                    fillOpacity: exclusion ? 0.18 : 0.1,
                    className: exclusion ? "zone zone--exclusion" : "zone zone--inclusion",
                }).bindTooltip(z.label).addTo(zonesLayer);
            }
        },
        /** Event markers (check-ins, alerts): a symbol on a coloured badge, with a tooltip in words. */
        setEvents(events) {
            eventsLayer.clearLayers();
            for (const e of events) {
                L.marker([e.lat, e.lon], {
                    keyboard: false,
                    title: e.label,
                    icon: L.divIcon({
                        className: `map-event map-event--${e.kind}`,
                        html: `<span style="background:${escapeHtml(e.colour)}">${escapeHtml(e.symbol)}</span>`,
                        iconSize: [24, 24],
                        iconAnchor: [12, 12],
                    }),
                }).bindTooltip(escapeHtml(e.label)).addTo(eventsLayer);
            }
        },
        /** Rings the chosen point and brings it into view. */
        highlight(lat, lon, label) {
            selectionLayer.clearLayers();
            if (lat == null) {
                return;
            }
            L.circleMarker([lat, lon], { radius: 10, color: "#000", weight: 3, fill: false, className: "trail-selected" })
                .bindTooltip(escapeHtml(label), { permanent: false }).addTo(selectionLayer);
            if (!map.getBounds().contains([lat, lon])) {
                map.panTo([lat, lon]);
            }
        },
        fitBounds() {
            fitAll();
        },
        /** Clicks report their position to the component ("point": a centre, "polygon": the next corner). */
        startDrawing(mode) {
            drawing = mode;
            element.classList.add("trail-map--drawing");
            element.dataset.drawing = mode;
        },
        stopDrawing() {
            drawing = null;
            element.classList.remove("trail-map--drawing");
            delete element.dataset.drawing;
        },
        /** A zone being drawn: { ring: [[lat, lon], ...], kind, corners } or null; dashed, and not a zone yet. */
        setDraft(draft) {
            draftLayer.clearLayers();
            element.dataset.draftCorners = draft ? String(draft.ring.length) : "0";
            if (!draft || draft.ring.length === 0) {
                return;
            }
            const colour = draft.kind === "Exclusion" ? "#c62828" : "#2e7d32";
            const style = { color: colour, weight: 3, dashArray: "2 6", fillOpacity: 0.08, interactive: false, className: "zone-draft" };
            const shape = draft.ring.length >= 3 ? L.polygon(draft.ring, style) : L.polyline(draft.ring, style);
            shape.addTo(draftLayer);
            if (draft.corners) {
                draft.ring.forEach(p => L.circleMarker(p, { radius: 4, color: "#111", weight: 2, fillColor: "#fff", fillOpacity: 1, interactive: false, className: "zone-draft__corner" }).addTo(draftLayer));
            }
            const bounds = L.latLngBounds(draft.ring);
            if (bounds.isValid() && !map.getBounds().contains(bounds)) {
                map.fitBounds(map.getBounds().extend(bounds), { padding: [24, 24], maxZoom: 17 });
            }
        },
        /** A live fix: extends the newest part of the trail and, when following, keeps it in view. */
        follow(lat, lon, label, pan) {
            const last = liveLayer.getLayers().find(l => l.options.className === "trail-live");
            if (last) {
                last.addLatLng([lat, lon]);
            } else {
                const start = trail?.segments.at(-1)?.at(-1);
                const points = start ? [[start[0], start[1]], [lat, lon]] : [[lat, lon]];
                L.polyline(points, { color: timeColours.at(-1), weight: 4, className: "trail-live" }).addTo(liveLayer);
            }
            liveLayer.eachLayer(l => { if (l.options.className === "trail-live-head") { liveLayer.removeLayer(l); } });
            L.circleMarker([lat, lon], { radius: 8, color: "#111", weight: 2, fillColor: "#ffffff", fillOpacity: 1, className: "trail-live-head" })
                .bindTooltip(escapeHtml(label)).addTo(liveLayer);
            if (pan) {
                map.panTo([lat, lon]);
            }
        },
        /**
         * The caseload: one marker per subject ({ id, lat, lon, initials, label, href, stale, age }), clustered
         * when crowded, with the fix's age under the pin; markers already shown move to their new place.
         * movedId: a marker that just moved live. It is ringed for a while and kept in view: the whole caseload
         * while the user has not chosen a view, otherwise only if it was in view before it moved.
         */
        async setPositions(items, fit, movedId) {
            // One group, even when two calls overlap while the plugin loads.
            positionsReady ??= loadCluster(L).then(clustered => {
                const group = clustered ? L.markerClusterGroup({ maxClusterRadius: 50, showCoverageOnHover: false }) : L.layerGroup();
                group.addTo(map);
                positions = { group, markers: new Map(), movedUntil: new Map() };
            });
            await positionsReady;
            const before = movedId ? positions.markers.get(movedId)?.getLatLng() : null;
            const wasInView = !!before && map.getBounds().contains(before);
            if (movedId) {
                positions.movedUntil.set(movedId, Date.now() + movedHighlightMs);
                // The ring goes when the time is up, also when no other update comes.
                setTimeout(() => {
                    const m = positions?.markers.get(movedId);
                    if (m && (positions.movedUntil.get(movedId) ?? 0) <= Date.now()) {
                        positions.movedUntil.delete(movedId);
                        m.setIcon(pinIcon(m.options.pin, false));
                    }
                }, movedHighlightMs + 50);
            }
            const seen = new Set();
            for (const p of items) {
                seen.add(p.id);
                const icon = pinIcon(p, (positions.movedUntil.get(p.id) ?? 0) > Date.now());
                let marker = positions.markers.get(p.id);
                if (marker) {
                    const moved = !marker.getLatLng().equals([p.lat, p.lon]);
                    marker.options.title = p.label;
                    marker.options.pin = p;
                    if (moved) {
                        // The cluster group follows the move (it listens to the marker's move event).
                        marker.setLatLng([p.lat, p.lon]);
                    }
                    marker.setIcon(icon);
                    marker.setTooltipContent(escapeHtml(p.label));
                    if (positions.group.refreshClusters) {
                        positions.group.refreshClusters(marker);
                    }
                } else {
                    marker = L.marker([p.lat, p.lon], { icon, title: p.label, keyboard: false, pin: p });
                    marker.bindTooltip(escapeHtml(p.label));
                    marker.on("click", () => { window.location.assign(marker.options.pin.href); });
                    positions.markers.set(p.id, marker);
                    positions.group.addLayer(marker);
                }
                marker.options.subjectId = p.id;
            }
            for (const [id, marker] of positions.markers) {
                if (!seen.has(id)) {
                    positions.group.removeLayer(marker);
                    positions.markers.delete(id);
                    positions.movedUntil.delete(id);
                }
            }
            // The markers' places, readable from the page (tests, diagnostics) even when a cluster hides them.
            element.dataset.positions = JSON.stringify(Object.fromEntries([...positions.markers].map(([id, m]) => [id, [m.getLatLng().lat, m.getLatLng().lng]])));
            if (fit) {
                fitAll();
            } else if (movedId && positions.markers.has(movedId)) {
                const now = positions.markers.get(movedId).getLatLng();
                if (!map.getBounds().pad(-0.05).contains(now)) {
                    if (!viewChosenByUser) {
                        fitAll();
                    } else if (wasInView) {
                        // Widen the view the user chose just enough to keep the marker they were watching.
                        map.fitBounds(map.getBounds().extend(now), { padding: [24, 24], maxZoom: map.getZoom() });
                    }
                }
            }
        },
        /** Where a subject's marker is now (tests and the live view read it). */
        positionOf(id) {
            const m = positions?.markers.get(id);
            return m ? [m.getLatLng().lat, m.getLatLng().lng] : null;
        },
        dispose() {
            map.remove();
        },
    };
}
