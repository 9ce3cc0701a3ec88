//! French and English stop words: the grammatical words (articles, pronouns,
//! auxiliaries, prepositions…) that say nothing about what a text is about.
//! Text similarity (`link::terms`) and topic discovery (`topics::suggest`)
//! leave them out.
//!
//! The lists are those of the Snowball project (French and English), with
//! a few frequent adverbs and auxiliary forms added. Topic discovery also
//! leaves out *generic* words: adverbs, common verbs and vague nouns
//! (« également », « permettre », « exemple ») that are frequent in any text
//! and never name a subject, as key-phrase extractors such as RAKE do with
//! their longer stop lists. Both lists apply to every
//! document: French texts quote English and the other way round. Tokens are
//! compared once normalised (folded and stemmed by `normalize`), so the lists
//! are normalised the same way, once per language and process.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use super::normalize::normalize_phrase;
use crate::model::Lang;

const FRENCH: &str = "\
    a à afin ai aie aient aies ainsi alors as au aucun aucune aujourd'hui auquel aura aurai \
    auraient aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux \
    auxquelles auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant \
    ayez ayons bien beaucoup c ça car ce ceci cela celle celles celui cependant certain \
    certaine certaines certains ces cet cette ceux chaque chez ci comme comment d dans de \
    depuis des déjà desquelles desquels donc dont du duquel elle elles en encore entre es \
    est et étaient étais était étant été étiez étions être eu eue eues eûmes eurent eus \
    eusse eussent eusses eussiez eussions eut eût eûtes eux faire fais fait faites font \
    fûmes furent fus fusse fussent fusses fussiez fussions fut fût fûtes ici il ils j je \
    jusqu l la laquelle le lequel les lesquelles lesquels leur leurs lui m ma mais me même \
    mêmes mes moi moins mon n ne ni non nos notre nous on ont or ou où par parce parmi pas \
    peu peut peuvent plus plusieurs pour pourquoi pourtant puis qu quand que quel quelle \
    quelles quels qui quoi s sa sans se sera serai seraient serais serait seras serez seriez \
    serions serons seront ses si sien sienne soi soient sois soit sommes son sont sous soyez \
    soyons suis sur t ta tandis te tel telle telles tels tes toi ton tous tout toute toutes \
    très trop tu un une unes uns vers voici voilà vos votre vous y";

const ENGLISH: &str = "\
    a about above after again against all also am an and any are as at be because been \
    before being below between both but by can could did do does doing down during each few \
    for from further had has have having he her here hers herself him himself his how i if \
    in into is it its itself just may me might more most much must my myself no nor not now \
    of off on once only or other ought our ours ourselves out over own same shall she should \
    so some such than that the their theirs them themselves then there these they this those \
    through to too under until up very was we were what when where which while who whom why \
    will with would you your yours yourself yourselves";

/// Frequent words that are not grammatical but never name a subject.
/// (Each list is one string, words separated by spaces.)
const GENERIC_FRENCH: &str = "\
    actuellement aider aide aller améliorer aspect aspects aujourd'hui autant avantage \
    avantages besoin cas certainement chose choses clairement considérer créer défi défis \
    dernier dernière devenir devient devoir dire directement divers diverses doit doivent \
    domaine domaines donner différent différente différents différentes effet efficace \
    efficaces efficacement également enfin ensemble ensuite essentiel exemple exemples façon \
    facilement faut favoriser fois généralement grand grande grandes grands important \
    importante importants importantes individu individus interagir jamais lieu manière \
    meilleur meilleure meilleurs mettre moyen moyens notamment nombre nombreux nombreuses \
    nouveau nouveaux nouvelle nouvelles offrir offrent outil outils part partie participer \
    particulièrement passer permet permettant permettent permettre personne personnes petit \
    petite petits petites pouvoir possible premier première prendre principal principale \
    question questions rapidement rendre rester rien savoir selon semble seul seule \
    seulement significatif significatifs significative simplement sorte souvent surtout \
    toujours trouver type utiliser utilisent vers voir vouloir vraiment";

const GENERIC_ENGLISH: &str = "\
    able example first get help however important like long make many new often one really \
    thing things two use used using way ways well";

/// Whether the normalised token `norm` (as `normalize::for_each_token`
/// gives it for a text in `lang`) is a stop word.
pub fn is_stop_word(norm: &str, lang: Lang) -> bool {
    static STOP: WordSets = [OnceLock::new(), OnceLock::new()];
    normalised(&STOP, lang, &[FRENCH, ENGLISH]).contains(norm)
}

/// Whether `norm` is a stop word or a generic word (see the module's
/// introduction): a word no topic is named by.
pub fn is_generic_word(norm: &str, lang: Lang) -> bool {
    static GENERIC: WordSets = [OnceLock::new(), OnceLock::new()];
    is_stop_word(norm, lang)
        || normalised(&GENERIC, lang, &[GENERIC_FRENCH, GENERIC_ENGLISH]).contains(norm)
}

/// One set of normalised words per language, made on first use.
type WordSets = [OnceLock<FxHashSet<String>>; 2];

/// The words of `lists` (separated by spaces), normalised as texts in
/// `lang` are, kept in `sets` for the next call.
fn normalised<'a>(sets: &'a WordSets, lang: Lang, lists: &[&str]) -> &'a FxHashSet<String> {
    let slot = match lang {
        Lang::Fr => &sets[0],
        Lang::En => &sets[1],
    };
    slot.get_or_init(|| {
        lists
            .iter()
            .flat_map(|l| l.split_whitespace())
            .flat_map(|w| normalize_phrase(w, lang))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(word: &str, lang: Lang) -> bool {
        normalize_phrase(word, lang)
            .iter()
            .all(|n| is_stop_word(n, lang))
    }

    #[test]
    fn grammatical_words_are_stop_words_in_both_languages() {
        for w in ["les", "Des", "qu’il", "était", "the", "and", "L’"] {
            assert!(stop(w, Lang::Fr), "{w}");
        }
        for w in ["The", "being", "les"] {
            assert!(stop(w, Lang::En), "{w}");
        }
    }

    #[test]
    fn generic_words_are_told_apart_for_topic_discovery() {
        let generic = |w: &str| {
            normalize_phrase(w, Lang::Fr)
                .iter()
                .all(|n| is_generic_word(n, Lang::Fr))
        };
        for w in ["également", "permettent", "exemple", "les"] {
            assert!(generic(w), "{w}");
        }
        for w in ["homophilie", "marketing", "plateformes", "vie"] {
            assert!(!generic(w), "{w}");
        }
    }

    #[test]
    fn content_words_are_not() {
        for w in ["homophilie", "réseaux", "influenceurs", "vie", "privée"] {
            assert!(!stop(w, Lang::Fr), "{w}");
        }
        assert!(!stop("privacy", Lang::En));
    }
}
