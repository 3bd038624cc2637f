//! A prior over the emoji and symbols people put in incident reports and developer docs.
//!
//! When a lost byte leaves several candidate characters (`âŒ` could be ❌ or ⌝, `ðŸ“`
//! could be 📝 or 🍓), the one a writer most likely typed wins. The order below is a
//! judgement of how often each appears in postmortems, READMEs, changelogs and commit
//! messages (status marks first, then the gitmoji set, then everyday office symbols).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Emoji in rough order of use in technical writing (variation selectors omitted).
const EMOJI: &str = "✅ ❌ ⚠ 🚀 🔥 🐛 ✨ 📝 🎉 💡 🔧 📦 🚨 👍 🔒 ⭐ 📊 🔍 ✔ 🎯 ⚡ 📚 🔴 🟢 🟡 \
    🛠 ❗ ❓ ➡ 🔄 📈 ⏳ 🧪 👎 🛡 💥 🤖 👀 🔐 📋 📌 🔗 ⏱ 🛑 ⛔ 🗑 ✖ 📉 🔔 📞 🧹 🏁 🩹 🗂 💬 \
    🚧 ♻ 🎨 📁 📄 📅 🔑 🌐 ⚙ 💻 🖥 📱 🧠 💾 ☁ 🆕 ℹ 🏗 🏷 🔖 🚑 💚 ⬆ ⬇ ➕ ➖ 🔨 ✏ 💩 ⏪ 🔀 \
    👽 🚚 🍱 ♿ 🍻 🗃 🔊 🔇 👥 🚸 🤡 🥚 🙈 📸 ⚗ 🌱 🚩 🥅 💫 🛂 🧐 ⚰ 👔 🧱 💸 🧵 🦺 ✈ 🎊 🙏 \
    😀 😊 😂 🤔 😅 😢 😱 ❤ 💯 👉 👋 👏 💪 🏆 🥇 📣 📢 📖 📂 📎 📍 📆 🗓 ⏰ ⌛ 🕐 🟠 🔵 🟣 ⚪ \
    ⚫ 🟥 🟩 🟨 🟦 ☑ ✳ ❇ ‼ ⁉ 🆘 🆗 🔺 🔻 🔸 🔹 🔶 🔷 ▶ ⏸ ⏹ ⏭ 🔁 🔃 ↩ ↪ ⤴ ⤵ ⬅ 🔎 🔓 🗝 \
    🧰 🧯 🪲 🧩 🔌 🔋 📡 🛰 🌍 🏠 🏢 💰 💳 📧 ✉ 📨 📬 🔕 🧭 🗺 📏 📐 🔬 🔭 🧬 💊 🎁 🎈 🌟 ✴ \
    💎 🐳 🐍 🦀 🐧 🍎 ☕ 🍕 😎 😉 🙂 😬 😭 😡 🤯 🥳 🤝 ✌ 👌 ☝ 👇 👈 🫡 ⏩ 🔙 🔜 🆙 ✂ 🖊 📮";

/// Typography every language's writers use, in rough order of use.
const TYPOGRAPHY: &str = "→ • … — – ’ “ ” ‘ « » © ® ™ ° × ± ≤ ≥ ≠ ≈ € £ ¥ · „ ‚ ‹ › ← ↑ ↓ ↔ ⇒ \
    ′ ″ § ¶ ¢ ½ ¼ ¾ ¹ ² ³ µ ¿ ¡ ÷ √ ∞ † ‡ ‰ № ´";

/// Other symbols seen in technical text; outranked by the emoji above, which status
/// lines in incident reports favour.
const SYMBOLS: &str = "✓ ✗ ✘ ★ ☆ ● ○ ■ □ ▪ ▫ ▲ ▼ ► ◄ ◆ ◇ ⇐ ⇔ ─ │ ┌ ┐ └ ┘ ├ ┤ ┬ ┴ ┼ ═ ║ ╔ \
    ╗ ╚ ╝ ╠ ╣ ╦ ╩ ╬ ░ ▒ ▓ █ ▀ ▄ ⌘ ⌥ ⇧ ⏎ ⌫ ∑ ∆ ∂ ∫ ≡ ∈ ∉ ∩ ∪ ⊂ ⊃ ¬ ∧ ∨ ℃";

/// Where the other symbols start in the shared ranking.
const SYMBOLS_OFFSET: usize = 60;

fn ranks() -> &'static [(char, u16)] {
    static RANKS: OnceLock<Vec<(char, u16)>> = OnceLock::new();
    RANKS.get_or_init(|| {
        let mut m: HashMap<char, u16> = HashMap::new();
        let lists = [(EMOJI, 0), (TYPOGRAPHY, 0), (SYMBOLS, SYMBOLS_OFFSET)];
        for (list, offset) in lists {
            for (i, c) in list.split_whitespace().enumerate() {
                if let Some(ch) = c.chars().next() {
                    m.entry(ch).or_insert((i + 1 + offset) as u16);
                }
            }
        }
        let mut v: Vec<(char, u16)> = m.into_iter().collect();
        v.sort_unstable();
        v
    })
}

/// The rank of `c` among the emoji and symbols writers commonly type (1 = most common).
pub(super) fn rank(c: char) -> Option<u16> {
    let r = ranks();
    r.binary_search_by_key(&c, |&(ch, _)| ch)
        .ok()
        .map(|i| r[i].1)
}

/// Cost of a ranked character: cheap for the most common, rising slowly with rank.
pub(super) fn ranked_cost(rank: u16) -> f32 {
    0.3 + 0.3 * (rank as f32).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_marks_outrank_rare_lookalikes() {
        assert!(rank('❌').unwrap() < rank('📁').unwrap());
        assert!(rank('❗').unwrap() < rank('●').unwrap());
        assert!(rank('📝').unwrap() < rank('📍').unwrap());
        assert_eq!(rank('⌝'), None);
        assert_eq!(rank('🍓'), None);
        assert!(ranked_cost(1) < ranked_cost(50));
    }
}
