//! "Did you mean" suggestions for misspelt ids, and text compared without punctuation and
//! case (form headers against question texts).
//! Owns no knowledge of what the ids mean.

/// The closest candidate to `input`, when it is close enough to be a plausible typo.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    let input_len = input.chars().count();
    let allowed = |c: &str| (c.chars().count().max(input_len) / 3).max(2);
    candidates
        .into_iter()
        // The distance is at least the difference in length: a candidate whose length
        // alone rules it out is not compared (a long garbage header costs nothing).
        .filter(|c| c.chars().count().abs_diff(input_len) <= allowed(c))
        // Optimal string alignment: typos, a swapped pair of letters counting as one.
        // Unlike the unrestricted Damerau-Levenshtein distance it does not edit a swapped
        // pair again, which typos rarely need, and it builds no map per comparison (that
        // was 2% of a batch where one record in a hundred had a misspelt choice).
        .map(|c| (strsim::osa_distance(&input_lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= allowed(c))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Text without punctuation and case, spaces collapsed: how a form builder's header and
/// a question's text are compared.
pub fn normalised(text: &str) -> String {
    let kept: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// ` (did you mean `x`?)`, or nothing.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(input, candidates) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let ids = ["pain_intensity", "age", "saddle_numbness"];
        assert_eq!(closest("pain_intensty", ids), Some("pain_intensity"));
        assert_eq!(closest("Saddle_Numbness", ids), Some("saddle_numbness"));
        assert_eq!(closest("weather", ids), None);
        assert_eq!(closest(&"x".repeat(5000), ids), None);
        assert_eq!(closest("ag", ids), Some("age"));
        // A swapped pair of letters is one typo.
        assert_eq!(closest("pain_intenstiy", ids), Some("pain_intensity"));
        assert_eq!(closest("saddle_numbenss", ids), Some("saddle_numbness"));
    }
}
