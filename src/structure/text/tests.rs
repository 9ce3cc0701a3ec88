//! Tests of plain-text structuring, on the seeds and on edge cases.
use super::*;

const S000: &str = include_str!("../../../content/000_7f63989c8955f20d.txt");
const S001: &str = include_str!("../../../content/001_4b0e45e36137d340.txt");
const S002: &str = include_str!("../../../content/002_f5410258d25878cd.txt");
const S003: &str = include_str!("../../../content/003_1d1398d7f2d2ba33.txt");
const S004: &str = include_str!("../../../content/004_33512cf43e7110fd.txt");

/// The headings as `line:level`, space-separated.
fn levels(o: &TextOutline) -> String {
    let mut out = Vec::new();
    for b in &o.blocks {
        if let Block::Heading { level, line, .. } = b {
            out.push(format!("{line}:{level}"));
        }
    }
    out.join(" ")
}

/// The text and last line of the block starting at `line`.
fn block_at(o: &TextOutline, line: usize) -> Option<(&str, usize)> {
    o.blocks.iter().find_map(|b| match b {
        Block::Heading { text, line: l, .. } if *l == line => Some((text.as_str(), *l)),
        Block::Paragraph {
            text,
            first_line: f,
            last_line: l,
        } if *f == line => Some((text.as_str(), *l)),
        _ => None,
    })
}

fn text_at(o: &TextOutline, line: usize) -> &str {
    block_at(o, line).map_or("", |b| b.0)
}

fn is_paragraph(o: &TextOutline, line: usize) -> bool {
    let para = |b: &Block| matches!(b, Block::Paragraph { first_line: f, .. } if *f == line);
    o.blocks.iter().any(para)
}

fn lists(o: &TextOutline) -> Vec<&[ListItem]> {
    let mut out = Vec::new();
    for b in &o.blocks {
        if let Block::List { items } = b {
            out.push(items.as_slice());
        }
    }
    out
}

#[test]
fn seed_002_sections_subsections_and_numbered_headings() {
    let o = outline(S002);
    assert_eq!(o.title, None);
    // Pairs open sections (2 then 3); lone headings follow at 3; a lone
    // heading with a one-paragraph introduction (85, 105, 125, 161) opens
    // a section; numbered headings sit one level below; then the FAQ.
    let want = "4:2 5:3 9:3 14:3 20:3 24:3 29:2 30:3 34:3 38:3 43:3 45:4 48:4 51:4 \
        55:2 56:3 62:3 68:3 73:3 77:3 81:3 85:2 87:3 92:3 98:3 105:2 107:3 113:3 119:3 \
        125:2 127:3 131:3 136:3 142:2 143:3 147:3 152:3 157:3 161:2 163:3 171:3 180:3 \
        190:2 191:3 197:3 202:3 208:2 209:3 213:3 217:3 222:3 224:2 225:3 227:4 230:4 \
        233:4 236:4 239:4 242:4 245:3 247:4 250:4 253:4 255:4 257:4";
    assert_eq!(levels(&o), want);
    assert_eq!(text_at(&o, 4), "Améliorer la Communication");
    assert_eq!(text_at(&o, 45), "1. La campagne « Dream Crazy » de Nike");
    assert_eq!(text_at(&o, 224), "FAQs");
}

#[test]
fn seed_002_continuation_lines_are_joined() {
    let o = outline(S002);
    let (text, last) = block_at(&o, 58).expect("paragraph at 58");
    assert_eq!(last, 60);
    assert!(text.contains("#edchat et #edtech permettent aux utilisateurs"));
    assert_eq!(block_at(&o, 65).map(|b| b.1), Some(67));
}

#[test]
fn seed_000_headings_lists_and_captions() {
    let o = outline(S000);
    assert_eq!(o.title, None, "a long first sentence is body text");
    assert!(is_paragraph(&o, 1));
    let want = "4:2 5:3 13:3 19:3 33:3 37:3 44:2 45:3 52:2 53:3 56:3 63:3 68:2 69:3 \
        75:2 76:3 82:3 87:2 88:3 95:2 96:3 102:3 106:2 107:3 116:3 120:2 121:3 124:3 \
        128:2 129:3 133:3 139:2 140:3 146:2 147:3 154:3";
    assert_eq!(levels(&o), want);
    assert_eq!(text_at(&o, 37), "Pourquoi les gens se comparent-ils ?");
    // Image captions above a pair, pull quotes over 100 characters, and
    // a line ending with `:` are paragraphs.
    for line in [67, 105, 72, 92, 144, 26] {
        assert!(is_paragraph(&o, line), "line {line}");
    }
    let lists = lists(&o);
    assert_eq!(lists[0].len(), 5);
    assert_eq!(lists[0][3].text, "les émoticônes 🙂");
    let lone = lists
        .iter()
        .find(|l| l[0].first_line == 57)
        .expect("list at 57");
    let spans: Vec<_> = lone.iter().map(|i| (i.first_line, i.last_line)).collect();
    assert_eq!(spans, [(57, 58), (59, 60), (61, 62)]);
    assert_eq!(
        lone[1].text,
        "Ils aident à trouver de nouveaux centres d’intérêt"
    );
}

#[test]
fn seed_001_title_blank_lines_and_trailing_noise() {
    let o = outline(S001);
    let title = o.title.as_ref().expect("title");
    assert_eq!(title.line, 1);
    assert!(title.text.starts_with("Pour quelles raisons"));
    assert_eq!(levels(&o), "5:2 13:2 19:2");
    let texts = o.blocks.iter().filter_map(|b| match b {
        Block::Paragraph { text, .. } | Block::Heading { text, .. } => Some(text),
        Block::List { .. } => None,
    });
    for text in texts {
        assert!(text != "." && !text.contains("Plan du site"), "{text}");
    }
    assert!(matches!(
        o.blocks.last(),
        Some(Block::Paragraph { first_line: 21, .. })
    ));
}

#[test]
fn seeds_003_004_flat_sections_and_bullets() {
    let o = outline(S003);
    assert_eq!((o.title.is_none(), levels(&o).as_str()), (true, "4:2 7:2"));
    assert_eq!(text_at(&o, 7), "Qui sont les influenceurs ?");
    let o = outline(S004);
    assert_eq!(
        (o.title.is_none(), levels(&o).as_str()),
        (true, "5:2 7:2 11:2")
    );
    let lists = lists(&o);
    assert_eq!((lists.len(), lists[0].len()), (1, 2));
    assert!(lists[0][0].text.starts_with("Identifier clairement"));
    assert_eq!((lists[0][1].first_line, lists[0][1].last_line), (14, 14));
}

#[test]
fn synthetic_gencorpus_document() {
    let doc = "Chambres d'écho : une enquête sur usage (1)\n\
        \n\
        Le rôle des plateformes\n\
        L'audience limite leur défi ordinaire. Notre hypothèse reflète chaque temps.\n\
        La pression organise toute publication. Un regard révèle le support ?\n\
        - Le chiffre du débat désormais modifie une vidéo\n\
        - Peur de manquer : on sait que cette norme éclaire le contexte\n\
        Son habitude traverse un voisin malgré une communauté commune.\n\
        \n\
        Conclusion provisoire\n\
        Notre collègue protège son rapport. (à comparer avec Du événement (6))\n";
    let o = outline(doc);
    let title = o.title.as_ref().map(|t| (t.text.as_str(), t.line));
    assert_eq!(
        title,
        Some(("Chambres d'écho : une enquête sur usage (1)", 1))
    );
    assert_eq!(levels(&o), "3:2 10:2");
    // Two sentences ending with `?` are a paragraph, not a question heading.
    assert!(is_paragraph(&o, 5));
    assert_eq!(lists(&o)[0].len(), 2);
    assert_eq!(o.blocks.len(), 7);
}

#[test]
fn empty_blank_and_noise_only_inputs() {
    let empty = TextOutline {
        title: None,
        blocks: vec![],
    };
    for text in [
        "",
        "\n",
        "   \n\t\n",
        ".\n\n…\n***\n-\n",
        "Plan du site\n.\nAccueil",
    ] {
        assert_eq!(outline(text), empty, "{text:?}");
    }
}

#[test]
fn heading_needs_body_text_after_it() {
    let o = outline("Un texte qui se termine bien.\nUne ligne courte à la fin\n");
    assert_eq!(levels(&o), "");
    assert_eq!(block_at(&o, 2), Some(("Une ligne courte à la fin", 2)));
    // A lone short line is not a title either.
    assert_eq!(outline("Juste un titre").title, None);
}

#[test]
fn trailing_spaces_are_ignored() {
    let o = outline("Le titre  \n   \nUne section \t\nDu texte, enfin.   \n");
    assert_eq!(
        o.title,
        Some(TitleLine {
            text: "Le titre".into(),
            line: 1
        })
    );
    assert_eq!(levels(&o), "3:2");
    assert_eq!(text_at(&o, 3), "Une section");
    assert_eq!(text_at(&o, 4), "Du texte, enfin.");
}

#[test]
fn question_headings_but_not_colons_or_exclamations() {
    let body = "Un long paragraphe qui explique les choses en détail.\n";
    let o = outline(&format!("{body}Pourquoi faire simple ?\n{body}"));
    assert_eq!(levels(&o), "2:2");
    for line in ["Voici la liste :", "Quelle surprise !", "Une phrase finie."] {
        assert_eq!(
            levels(&outline(&format!("{body}{line}\n{body}"))),
            "",
            "{line}"
        );
    }
}

#[test]
fn consecutive_numbered_lines_are_a_list() {
    let o = outline("Il faut :\n1. Ouvrir\n2. Cliquer\n3) Fermer\nEt voilà le travail.\n");
    assert_eq!(levels(&o), "");
    let texts: Vec<_> = lists(&o)[0].iter().map(|i| i.text.as_str()).collect();
    assert_eq!(texts, ["1. Ouvrir", "2. Cliquer", "3) Fermer"]);
}

#[test]
fn navigation_dropped_only_when_isolated_or_trailing() {
    let o = outline("Du texte.\n\nAccueil\n\nContact\nÉcrivez-nous ici.\nPartager\n");
    assert_eq!(levels(&o), "5:2");
    assert_eq!(o.blocks.len(), 3);
}

#[test]
fn never_panics_and_keeps_invariants() {
    let long = "x".repeat(5000);
    let mut pieces: Vec<&str> = "| |-|- |•|- item|• x|1.|1. |1. Un|12) Deux ?|9999. Non|.|…\
        |Plan du site|Accueil|Titre|et suite|Phrase finie.|Question ? Oui.\
        |日本語のテキスト|«»|   \t|Combler : les lacunes"
        .split('|')
        .collect();
    pieces.push(&long);
    // A small linear congruential generator keeps the test deterministic.
    let mut seed: u64 = 42;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(seed % 9) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            text.push('\n');
        }
        let n = text.split('\n').count();
        for b in outline(&text).blocks {
            let ok = match b {
                Block::Heading { level, line, .. } => (2..=4).contains(&level) && line <= n,
                Block::Paragraph {
                    first_line: f,
                    last_line: l,
                    ..
                } => f <= l && l <= n,
                Block::List { items } => items
                    .iter()
                    .all(|i| i.first_line <= i.last_line && i.last_line <= n && !i.text.is_empty()),
            };
            assert!(ok, "{text:?}");
        }
    }
}
