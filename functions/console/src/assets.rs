//! The console's files, embedded in the binary: hand-written HTML, CSS and ES modules with
//! no build step. A new module must be listed here (the test below checks every import).

use app::api::Asset;

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_str!(concat!("../assets/", $name)),
        }
    };
}

pub static ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("app.css", CSS),
    asset!("favicon.svg", SVG),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("charts.js", JS),
    asset!("bots.js", JS),
    asset!("bot.js", JS),
    asset!("account.js", JS),
];

#[cfg(test)]
mod tests {
    use super::ASSETS;

    fn served(name: &str) -> bool {
        ASSETS.iter().any(|a| a.name == name)
    }

    /// Every `./x.js` a module imports, and every file the page links, is served.
    #[test]
    fn every_imported_module_and_linked_file_is_embedded() {
        for asset in ASSETS {
            for part in asset.body.split(['"', '\'']) {
                let Some(name) = part
                    .strip_prefix("./")
                    .or_else(|| part.strip_prefix("/console/"))
                else {
                    continue;
                };
                if name.ends_with(".js") || name.ends_with(".css") || name.ends_with(".svg") {
                    assert!(
                        served(name),
                        "{} refers to {name}, which is not embedded",
                        asset.name
                    );
                }
            }
        }
    }

    /// The policy forbids inline code: no `<script>` with a body, no `style=` or `on…=`
    /// attribute in the page, no `innerHTML` anywhere.
    #[test]
    fn no_inline_code_and_no_html_injection_sinks() {
        let page = ASSETS.iter().find(|a| a.name == "index.html").unwrap().body;
        assert!(
            !page.contains("<script>") && !page.contains(" style="),
            "inline code in the page"
        );
        assert!(
            !page.contains(" onclick=") && !page.contains(" onload="),
            "inline handler in the page"
        );
        for asset in ASSETS {
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
            ] {
                assert!(!asset.body.contains(sink), "{} uses {sink}", asset.name);
            }
        }
    }
}
