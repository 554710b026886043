//! The sandbox's knowledge base and its deterministic "model": what Retrieve, RetrieveAndGenerate
//! and InvokeAgent answer from.
//!
//! A handful of business documents of the demo business WECARE.DIGITAL (`crates/sandbox/kb/`,
//! compiled in so the binary needs no files) are split into passages, one per `##` section (the
//! text before the first section is a passage of its own), and indexed with BM25. Generation is
//! extractive: the answer is the most relevant sentence of each of the best passages, so it is
//! the same for the same question, always, and every part of it can be cited exactly.
//!
//! The documents are ASCII, so a span counts the same in bytes, characters and UTF-16 units.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// `(file name, markdown)` of every document; a passage's source URI is
/// `s3://wecare-knowledge-base/<file name>`.
const DOCUMENTS: &[(&str, &str)] = &[
    ("opening-hours.md", include_str!("../kb/opening-hours.md")),
    ("prices.md", include_str!("../kb/prices.md")),
    ("returns-policy.md", include_str!("../kb/returns-policy.md")),
    ("delivery.md", include_str!("../kb/delivery.md")),
    ("faq.md", include_str!("../kb/faq.md")),
];

const BUCKET_URI: &str = "s3://wecare-knowledge-base";

/// BM25's term-frequency saturation and length normalisation, at their customary values.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// A normalised score below which a passage is not used to answer: below it the best passage
/// shares little more than a common word with the question, and a wrong answer is worse than
/// none. (A passage holding every query term once, at average length, scores 1 / (K1 + 1) =
/// 0.45; chat words the documents never use pull a score down further.)
pub(crate) const RELEVANT: f64 = 0.1;
/// Further passages join the answer only when they score at least this share of the best one,
/// so a strong answer is not diluted by a loosely related sentence.
const SECONDARY_SHARE: f64 = 0.75;
/// At most this many passages (one sentence each) make an answer.
const MAX_PARTS: usize = 3;

/// Words too common to tell passages apart, and the greetings and fillers a chat is full of.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "did", "do", "does", "for", "from", "get", "got", "had", "has", "have", "hello", "hey", "hi",
    "how", "i", "if", "in", "into", "is", "it", "its", "just", "know", "let", "like", "me", "my", "no", "not", "of",
    "on", "or", "our", "please", "she", "he", "so", "some", "than", "thank", "thanks", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "to", "up", "us", "want", "was", "we", "were", "what", "when", "where",
    "which", "who", "why", "will", "with", "would", "yes", "you", "your",
];

/// Stems that mean the same to a customer, mapped to one: "how much", "cost", "fee" and "charge"
/// all ask for a price.
const SYNONYMS: &[(&str, &str)] = &[
    ("much", "pric"),
    ("cost", "pric"),
    ("fee", "pric"),
    ("charg", "pric"),
    ("deliver", "delivery"),
    ("ship", "delivery"),
];

/// One section of a document.
#[derive(Debug)]
pub(crate) struct Passage {
    pub file: &'static str,
    /// Position among all passages, for a stable order between equal scores.
    pub ordinal: usize,
    /// The section's heading and body, markdown markers taken off the heading.
    pub content: String,
    /// The body's sentences, whitespace collapsed (a sentence may wrap over lines).
    sentences: Vec<String>,
    /// Stemmed terms of the document title, the heading (twice) and the body: what BM25 sees.
    terms: Vec<String>,
}

impl Passage {
    pub fn uri(&self) -> String {
        format!("{BUCKET_URI}/{}", self.file)
    }

    /// Stable across runs and builds: a name-based UUID of the source and the position.
    pub fn chunk_id(&self) -> String {
        let name = format!("{}#{}", self.uri(), self.ordinal);
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
    }
}

/// A passage found for a query, with its score normalised to 0..1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit<'a> {
    pub passage: &'a Passage,
    pub score: f64,
}

/// An answer and, for each of its parts, where it sits in the text (`text[start..end]`, end
/// exclusive) and the passage it was taken from.
#[derive(Debug)]
pub(crate) struct Answer<'a> {
    pub text: String,
    pub parts: Vec<Part<'a>>,
}

#[derive(Debug)]
pub(crate) struct Part<'a> {
    pub start: usize,
    pub end: usize,
    pub hit: Hit<'a>,
}

pub(crate) struct KnowledgeBase {
    passages: Vec<Passage>,
    /// Inverse document frequency of every term in the index.
    idf: HashMap<String, f64>,
    average_len: f64,
}

/// The WECARE.DIGITAL knowledge base, indexed once.
pub(crate) static WECARE: LazyLock<KnowledgeBase> = LazyLock::new(|| KnowledgeBase::new(DOCUMENTS));

impl KnowledgeBase {
    fn new(documents: &[(&'static str, &str)]) -> KnowledgeBase {
        let mut passages = Vec::new();
        for (file, markdown) in documents {
            for (heading, body, title) in sections(markdown) {
                let content = format!("{heading}\n\n{body}");
                // The heading counts twice: a section named for what a customer asks about
                // ("Refunds") should beat one that mentions it in passing.
                let terms = terms(&format!("{title} {heading} {heading} {body}"));
                passages.push(Passage {
                    file,
                    ordinal: passages.len(),
                    content,
                    sentences: sentences(&body),
                    terms,
                });
            }
        }
        let n = passages.len() as f64;
        let mut df: HashMap<String, usize> = HashMap::new();
        for p in &passages {
            for t in p.terms.iter().collect::<HashSet<_>>() {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let idf = df.into_iter().map(|(t, d)| (t, idf(n, d as f64))).collect();
        let average_len = passages.iter().map(|p| p.terms.len() as f64).sum::<f64>() / n.max(1.0);
        KnowledgeBase {
            passages,
            idf,
            average_len,
        }
    }

    /// A term's IDF; a term no passage holds weighs as much as the rarest possible one.
    fn idf_of(&self, term: &str) -> f64 {
        self.idf
            .get(term)
            .copied()
            .unwrap_or_else(|| idf(self.passages.len() as f64, 0.0))
    }

    /// The best `n` passages with a score above zero, best first.
    ///
    /// Scores are divided by the best score the query could reach (every term's IDF times
    /// `K1 + 1`, the limit of BM25 as a term's frequency grows), not by the top score: so a score
    /// says how well a passage answers, comparable across queries, and a question about something
    /// the documents never mention scores low everywhere instead of 1.0 for its least bad passage.
    pub fn retrieve(&self, query: &str, n: usize) -> Vec<Hit<'_>> {
        let query: Vec<String> = unique(terms(query));
        let best_possible: f64 = query.iter().map(|t| self.idf_of(t) * (K1 + 1.0)).sum();
        if best_possible <= 0.0 {
            return Vec::new();
        }
        let mut hits: Vec<Hit<'_>> = self
            .passages
            .iter()
            .map(|p| Hit {
                passage: p,
                score: self.bm25(p, &query) / best_possible,
            })
            .filter(|h| h.score > 0.0)
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.passage.ordinal.cmp(&b.passage.ordinal))
        });
        hits.truncate(n);
        hits
    }

    fn bm25(&self, p: &Passage, query: &[String]) -> f64 {
        let len_norm = 1.0 - B + B * p.terms.len() as f64 / self.average_len;
        query
            .iter()
            .map(|q| {
                let tf = p.terms.iter().filter(|t| *t == q).count() as f64;
                self.idf_of(q) * tf * (K1 + 1.0) / (tf + K1 * len_norm)
            })
            .sum()
    }

    /// The extractive answer to `query` from the best of the `n` passages retrieved: the most
    /// relevant sentence of each passage that scores at least [`RELEVANT`] (and, after the first,
    /// [`SECONDARY_SHARE`] of the best), up to [`MAX_PARTS`]. Empty when nothing is relevant.
    pub fn answer(&self, query: &str, n: usize) -> Answer<'_> {
        let hits = self.retrieve(query, n);
        let query: Vec<String> = unique(terms(query));
        let top = hits.first().map(|h| h.score).unwrap_or(0.0);
        let mut text = String::new();
        let mut parts = Vec::new();
        let mut used = HashSet::new();
        for hit in hits
            .iter()
            .filter(|h| h.score >= RELEVANT && h.score >= top * SECONDARY_SHARE)
        {
            if parts.len() == MAX_PARTS {
                break;
            }
            let Some(sentence) = self.best_sentence(hit.passage, &query) else {
                continue;
            };
            if !used.insert(sentence) {
                continue;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(sentence);
            parts.push(Part {
                start,
                end: text.len(),
                hit: *hit,
            });
        }
        Answer { text, parts }
    }

    /// The sentence of `p` holding the most query weight (the sum of the IDFs of the distinct
    /// query terms in it); the earlier one on a tie; none when no sentence holds any query term
    /// (the passage matched on its title or heading alone).
    fn best_sentence<'p>(&self, p: &'p Passage, query: &[String]) -> Option<&'p str> {
        let mut best: Option<(&str, f64)> = None;
        for s in &p.sentences {
            let words: HashSet<String> = terms(s).into_iter().collect();
            let weight: f64 = query
                .iter()
                .filter(|q| words.contains(*q))
                .map(|q| self.idf_of(q))
                .sum();
            if weight > 0.0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((s, weight));
            }
        }
        best.map(|(s, _)| s)
    }
}

/// Lucene's IDF, which stays positive even for a term in every passage.
fn idf(n: f64, df: f64) -> f64 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn unique(terms: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    terms.into_iter().filter(|t| seen.insert(t.clone())).collect()
}

/// `(heading, body, document title)` of each section of a markdown document.
fn sections(markdown: &str) -> Vec<(String, String, String)> {
    let mut title = String::new();
    let mut out = Vec::new();
    let mut heading: Option<String> = None;
    let mut body: Vec<&str> = Vec::new();
    let mut flush = |heading: &Option<String>, body: &mut Vec<&str>, title: &str| {
        let text = body.join("\n").trim().to_string();
        if !text.is_empty() {
            let h = heading.clone().unwrap_or_else(|| title.to_string());
            out.push((h, text, title.to_string()));
        }
        body.clear();
    };
    for line in markdown.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            flush(&heading, &mut body, &title);
            heading = Some(h.trim().to_string());
        } else if let Some(t) = line.strip_prefix("# ") {
            title = t.trim().to_string();
        } else {
            body.push(line);
        }
    }
    flush(&heading, &mut body, &title);
    out
}

/// The sentences of a body: whitespace collapsed, split after `.`, `!` or `?` followed by a
/// space (so `wecare.digital` and `9:00` stay whole).
fn sentences(body: &str) -> Vec<String> {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = flat.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let ends = matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_none_or(|n| *n == b' ');
        if ends {
            out.push(flat[start..=i].trim().to_string());
            start = i + 1;
        }
    }
    let rest = flat[start..].trim();
    if !rest.is_empty() {
        out.push(format!("{rest}."));
    }
    out
}

/// Lowercase words, punctuation stripped, stopwords dropped, lightly stemmed.
pub(crate) fn terms(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .map(|w| {
            let stemmed = stem(w);
            match SYNONYMS.iter().find(|(from, _)| *from == stemmed) {
                Some((_, to)) => to.to_string(),
                None => stemmed,
            }
        })
        .collect()
}

/// A few English suffixes taken off, enough for `return`, `returns`, `returned` and `returning`
/// (or `deliveries` and `delivery`) to meet; not a full stemmer, and it need not be one: the
/// same function treats the documents and the questions.
fn stem(word: &str) -> String {
    let mut w = word.to_string();
    if w.len() > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    if w.len() > 5 && w.ends_with("ing") {
        w.truncate(w.len() - 3);
    } else if w.len() > 4 && w.ends_with("ed") {
        w.truncate(w.len() - 2);
    }
    if w.len() > 3 && w.ends_with('e') {
        w.pop();
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_are_ascii_so_spans_count_the_same_in_every_unit() {
        for (file, text) in DOCUMENTS {
            assert!(text.is_ascii(), "{file} has non-ASCII characters");
        }
    }

    #[test]
    fn every_document_is_split_into_several_passages_with_sentences() {
        for (file, _) in DOCUMENTS {
            let passages: Vec<&Passage> = WECARE.passages.iter().filter(|p| p.file == *file).collect();
            assert!(passages.len() >= 4, "{file}: {} passages", passages.len());
            assert!(passages.iter().all(|p| !p.sentences.is_empty()));
        }
    }

    #[test]
    fn word_forms_of_one_word_meet_after_stemming() {
        let forms = terms("return returns returned returning");
        assert!(forms.iter().all(|t| t == "return"), "{forms:?}");
        assert_eq!(terms("deliveries"), terms("delivery"));
        assert_eq!(terms("Hi! Can you tell me the PRICE, please?"), vec!["tell", "pric"]);
    }

    #[test]
    fn a_returns_question_ranks_the_returns_policy_first() {
        let hits = WECARE.retrieve("How many days do I have to return something I bought?", 5);
        assert_eq!(hits[0].passage.file, "returns-policy.md");
        assert!(
            hits[0].passage.content.starts_with("Return window"),
            "{}",
            hits[0].passage.content
        );
    }

    #[test]
    fn scores_are_normalised_and_sorted_best_first() {
        let hits = WECARE.retrieve("delivery charges for small orders", 10);
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|h| h.score > 0.0 && h.score < 1.0));
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(hits[0].passage.content.lines().next(), Some("Delivery charges"));
    }

    #[test]
    fn a_question_the_documents_never_mention_finds_nothing_relevant() {
        let answer = WECARE.answer("What is the weather like in Paris today?", 5);
        assert!(answer.text.is_empty() && answer.parts.is_empty(), "{answer:?}");
    }

    #[test]
    fn the_answer_is_the_most_relevant_sentence_of_the_best_passages() {
        let answer = WECARE.answer("When are you open on Sunday?", 5);
        assert!(
            answer
                .text
                .contains("On Sundays we are open from 10:00 am to 6:00 pm IST."),
            "{}",
            answer.text
        );
        assert!((1..=MAX_PARTS).contains(&answer.parts.len()));
        for part in &answer.parts {
            let cited = &answer.text[part.start..part.end];
            let flat = part
                .hit
                .passage
                .content
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(flat.contains(cited), "{cited:?} is not in its passage");
        }
    }

    #[test]
    fn the_same_question_gets_the_same_answer_every_time() {
        let q = "Can I return an opened pressure cooker and when is the refund paid?";
        let first = WECARE.answer(q, 5);
        for _ in 0..5 {
            let again = KnowledgeBase::new(DOCUMENTS);
            let other = again.answer(q, 5);
            assert_eq!(first.text, other.text);
            let spans = |a: &Answer| {
                a.parts
                    .iter()
                    .map(|p| (p.start, p.end, p.hit.passage.ordinal))
                    .collect::<Vec<_>>()
            };
            assert_eq!(spans(&first), spans(&other));
        }
    }

    #[test]
    fn sentences_split_at_full_stops_and_keep_addresses_whole() {
        let s = sentences("Email one@wecare.digital today. Or call\nus at 9:00 am! Done");
        assert_eq!(
            s,
            vec!["Email one@wecare.digital today.", "Or call us at 9:00 am!", "Done."]
        );
    }
}
