//! Helpers: a temporary workspace with a copy of the corpus, and a way to run `serge` in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workspace {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Workspace {
    /// An empty workspace with an empty `corpus/`.
    pub fn empty() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("corpus")).unwrap();
        Workspace { dir }
    }

    /// A workspace holding a copy of the bundled corpus.
    pub fn bundled() -> Self {
        let ws = Self::empty();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for entry in std::fs::read_dir(&src).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), ws.corpus().join(entry.file_name())).unwrap();
        }
        ws
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.corpus().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_serge"));
        cmd.current_dir(self.dir.path())
            .env_remove("SERGE_CORPUS")
            .env_remove("SERGE_INDEX")
            .env_remove("NO_COLOR")
            .args(args);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = self.command(args).output().expect("run serge");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        }
    }

    /// Runs a search with `--json` and returns the hits.
    pub fn hits(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["search", "--json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert!(
            run.code == 0 || run.code == 1,
            "search {args:?} failed: {}",
            run.stderr
        );
        run.stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    }
}

/// The documents of a list of hits, in order.
pub fn docs(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["doc"].as_str().unwrap().to_owned())
        .collect()
}

/// The highlighted substrings of a hit (byte offsets into its text).
pub fn marked(hit: &serde_json::Value) -> Vec<String> {
    let text = hit["text"].as_str().unwrap().as_bytes();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            String::from_utf8(text[a..b].to_vec()).unwrap()
        })
        .collect()
}
