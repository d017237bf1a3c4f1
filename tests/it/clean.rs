//! `serge clean`: the bundled files and byte-level fixtures of every encoding and damage.

use crate::util::Workspace;

fn clean(ws: &Workspace, name: &str) -> String {
    let run = ws.run(&["clean", &format!("corpus/{name}")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn paragraphs(text: &str) -> Vec<&str> {
    text.split("\n\n").collect()
}

#[test]
fn bundled_files_have_no_mojibake_or_markup() {
    let ws = Workspace::bundled();
    for entry in std::fs::read_dir(ws.corpus()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".txt") {
            continue;
        }
        let text = clean(&ws, &name);
        for bad in [
            "â€", "Ã©", "Ã", "Â©", "Â ", "<sup>", "<i>", "**", "\n#", "](#)",
        ] {
            assert!(!text.contains(bad), "{name} still contains {bad:?}");
        }
    }
}

#[test]
fn pdf_conversion_is_rejoined() {
    let ws = Workspace::bundled();
    let text = clean(&ws, "002_454e5b72116ba4b2.txt");
    for phrase in [
        "Representation through universal suffrage",
        "for so much help on Serge in the past",
        "these divisions had hardened considerably. Anarchists were contemptuous",
    ] {
        let holding = paragraphs(&text)
            .into_iter()
            .filter(|p| p.contains(phrase))
            .count();
        assert_eq!(holding, 1, "{phrase:?} is not inside exactly one paragraph");
    }
    for debris in [
        "ISBN",
        "IMMI",
        "LOCA",
        "NDA VOTRE VISA",
        "CIP",
        "Dedication vi",
    ] {
        assert!(!text.contains(debris), "front matter left: {debris}");
    }
    assert!(
        text.contains("\n\nDedication\n\n"),
        "headings stay as paragraphs"
    );
}

#[test]
fn mojibake_and_repeats_in_003() {
    let ws = Workspace::bundled();
    let text = clean(&ws, "003_e21166df0cc561a9.txt");
    assert_eq!(
        paragraphs(&text)
            .iter()
            .filter(|p| p.contains("Johnny-come-latelys"))
            .count(),
        1
    );
    assert!(!text.contains("Subscribe now"));
    assert!(!text.contains("Leave a comment"));
    assert!(text.contains("Lenin’s collaborators"));
    assert!(text.contains("1936–37"));
    assert!(
        !text.contains("bafoenish"),
        "the near-duplicate fragment is dropped"
    );
    assert!(text.contains("the Russian Revolution’s final word"));
}

#[test]
fn web_boilerplate_in_001() {
    let ws = Workspace::bundled();
    let text = clean(&ws, "001_862357227f09bacf.txt");
    assert!(!text.contains("back to text"));
    assert!(!text.contains("Required fields are marked"));
    assert!(text.contains("24. January-April 1988, ATC 12-13"));
}

const CLEAN: &str = "Year One\n\nLenin’s “State and Revolution” — 1917–18, Musée Sociale, São Paulo.\n\nВиктор Серж писал.\n";

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn every_encoding_decodes_to_the_same_text() {
    let ws = Workspace::empty();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("utf8.txt", CLEAN.as_bytes().to_vec()),
        (
            "utf8bom.txt",
            [b"\xEF\xBB\xBF".as_slice(), CLEAN.as_bytes()].concat(),
        ),
        ("crlf.txt", CLEAN.replace('\n', "\r\n").into_bytes()),
    ];
    for (name, le, bom) in [
        ("le_bom.txt", true, true),
        ("be_bom.txt", false, true),
        ("le.txt", true, false),
        ("be.txt", false, false),
    ] {
        cases.push((name, utf16(CLEAN, le, bom)));
    }
    for (name, bytes) in cases {
        ws.write(name, bytes);
        assert_eq!(clean(&ws, name), CLEAN, "{name}");
    }
    let latin = "Year One\n\nLenin’s “State” — 1917–18, Musée, São Paulo, €100.\n";
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(latin);
    ws.write("cp1252.txt", &cp1252);
    assert_eq!(clean(&ws, "cp1252.txt"), latin);
}

#[test]
fn mojibake_once_twice_and_mixed_is_repaired() {
    let ws = Workspace::empty();
    let once = serge::ingest::mojibake::damage(CLEAN);
    let twice = serge::ingest::mojibake::damage(&once);
    ws.write("once.txt", &once);
    ws.write("twice.txt", &twice);
    assert_eq!(clean(&ws, "once.txt"), CLEAN);
    assert_eq!(clean(&ws, "twice.txt"), CLEAN);
    let (first, rest) = CLEAN.split_once("\n\n").unwrap();
    ws.write(
        "mixed.txt",
        format!("{first}\n\n{}", serge::ingest::mojibake::damage(rest)),
    );
    assert_eq!(clean(&ws, "mixed.txt"), CLEAN);
    // Mis-decoded as UTF-8 → Windows-1252 and then saved as Windows-1252 bytes.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&once);
    ws.write("saved1252.txt", &bytes);
    assert_eq!(clean(&ws, "saved1252.txt"), CLEAN);
}

#[test]
fn correct_text_comes_out_unchanged() {
    let ws = Workspace::empty();
    let text = "Ångström, São Paulo, SÃO PAULO, âme, château, Â, €100, Trademark™, Виктор Серж and Ελλάδα.\n";
    ws.write("correct.txt", text);
    assert_eq!(clean(&ws, "correct.txt"), text);
}

#[test]
fn fixture_files_match_their_expected_text() {
    let ws = Workspace::empty();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut checked = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "raw") {
            let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
            let run = ws.run(&["clean", path.to_str().unwrap()]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_eq!(run.stdout, expected, "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 2);
}

#[test]
fn bad_files_are_reported_not_fatal() {
    let ws = Workspace::empty();
    ws.write("empty.txt", "");
    ws.write(
        "binary.bin",
        [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0, 0xFF, 0xD8],
    );
    ws.write("ok.txt", "Some text.\n");
    let run = ws.run(&[
        "clean",
        "corpus/empty.txt",
        "corpus/binary.bin",
        "corpus/ok.txt",
        "corpus/missing.txt",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "Some text.\n");
    assert_eq!(run.stderr.lines().count(), 3, "{}", run.stderr);
    assert!(run.stderr.contains("empty"));
    assert!(run.stderr.contains("binary"));
}
