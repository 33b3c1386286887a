// The project's own small wrapper around Leaflet: one map per element, disposed with its component.
let leafletLoading;

function loadLeaflet() {
    if (window.L) {
        return Promise.resolve(window.L);
    }
    leafletLoading ??= new Promise((resolve, reject) => {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = "lib/leaflet/leaflet.css";
        document.head.appendChild(css);
        const script = document.createElement("script");
        script.src = "lib/leaflet/leaflet.js";
        script.onload = () => resolve(window.L);
        script.onerror = () => reject(new Error("Leaflet could not be loaded"));
        document.head.appendChild(script);
    });
    return leafletLoading;
}

export async function create(element, options) {
    const L = await loadLeaflet();
    const map = L.map(element, { zoomControl: true, attributionControl: !!options.tileUrl, keyboard: true });
    if (options.tileUrl) {
        L.tileLayer(options.tileUrl, { attribution: options.attribution ?? "", maxZoom: options.maxZoom ?? 19 }).addTo(map);
    } else {
        element.classList.add("trail-map--plain");
    }
    L.control.scale({ imperial: false }).addTo(map);
    const layer = L.layerGroup().addTo(map);
    map.setView([51.5072, -0.1276], 12);

    return {
        setMarkers(markers) {
            layer.clearLayers();
            const bounds = [];
            for (const m of markers) {
                if (m.accuracyM) {
                    L.circle([m.lat, m.lon], { radius: m.accuracyM, color: m.colour, weight: 1, fillOpacity: 0.15 }).addTo(layer);
                }
                L.circleMarker([m.lat, m.lon], { radius: 7, color: "#111", weight: 2, fillColor: m.colour, fillOpacity: 1 })
                    .bindTooltip(m.label)
                    .addTo(layer);
                bounds.push([m.lat, m.lon]);
            }
            if (bounds.length === 1) {
                map.setView(bounds[0], 16);
            } else if (bounds.length > 1) {
                map.fitBounds(bounds, { padding: [24, 24] });
            }
        },
        dispose() {
            map.remove();
        },
    };
}
