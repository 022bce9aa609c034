// The words and phrases the detectors listen for. They come from how motivational-interviewing
// coding manuals (MITI 4, MISC) describe each behaviour, not from any one set of transcripts:
// reflections restate ("it sounds like", "you feel"), open questions invite ("what", "how",
// "tell me"), advice directs ("you should", "you need to"). Lists stay short and readable so a
// reviewer can see why a turn was coded the way it was.

/** Words that only keep the floor or fill a pause; a turn made of nothing else is a backchannel. */
export const BACKCHANNEL = new Set([
  'mm', 'mmm', 'hmm', 'hm', 'uh', 'huh', 'um', 'uhm', 'ah', 'oh', 'okay', 'ok', 'yeah', 'yes', 'yep', 'yup',
  'right', 'alright', 'sure', 'i', 'see', 'wow', 'gotcha', 'got', 'it', 'cool', 'great', 'good', 'fine',
  'all', 'so', 'and', 'well', 'nice', 'thanks', 'thank', 'you', 'absolutely', 'exactly', 'true', 'indeed',
]);

/** Sounds with no meaning of their own ("mm-hmm" is listening, not filling). */
export const FILLERS = new Set(['um', 'uh', 'uhm', 'umm', 'uhh', 'er', 'erm', 'ehm']);

/** Discourse markers skipped when looking for the word that makes a sentence a question. */
export const LEAD_IN = new Set([
  'so', 'and', 'but', 'okay', 'ok', 'well', 'now', 'then', 'um', 'uh', 'uhm', 'er', 'erm', 'ah', 'oh',
  'yeah', 'yes', 'right', 'alright', 'mm', 'hmm', 'also', 'hey', 'great', 'good', 'sure', 'or', 'just',
  'mhm', 'huh', 'because', 'cause', 'actually', 'anyway', 'like',
]);

/** Interrogatives that open a question the other person answers in their own words. */
export const WH = new Set([
  'what', "what's", 'whats', 'how', "how's", 'why', "why's", 'where', "where's", 'when', "when's", 'which',
  'who', "who's", 'whose', 'whom',
]);

/** Auxiliaries that open a yes/no question when followed by a subject ("do you", "is it"). */
export const AUX = new Set([
  'do', 'does', 'did', "don't", "doesn't", "didn't", 'are', "aren't", 'is', "isn't", 'was', "wasn't", 'were',
  "weren't", 'have', 'has', 'had', "haven't", "hasn't", 'can', "can't", 'could', "couldn't", 'would',
  "wouldn't", 'will', "won't", 'should', "shouldn't", 'may', 'might', 'shall', 'am',
]);

/** Subjects that follow an auxiliary in a yes/no question. */
export const SUBJECT = new Set([
  'you', 'i', 'it', 'that', 'this', 'there', 'we', 'they', 'he', 'she', 'your', 'anything', 'anyone',
  'anybody', 'something', 'someone', 'these', 'those', 'my', 'his', 'her', 'their', 'our', 'any',
]);

/** Second-person words: reflections and advice are both about "you". */
export const SECOND_PERSON = new Set([
  'you', "you're", 'your', 'yours', 'yourself', "you've", "you'd", "you'll", 'ya', 'youre',
]);

/** Function words ignored when comparing what the two sides said. */
export const STOPWORDS = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being " +
    "below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down " +
    "during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here " +
    "here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself " +
    "let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves out " +
    "over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their " +
    "theirs them themselves then there there's these they they'd they'll they're they've this those through " +
    "to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's " +
    "where where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're " +
    "you've your yours yourself yourselves yeah yes okay ok um uh uhm mm hmm oh ah right just really like " +
    "know think kind sort gonna wanna gotta thing things something lot get got go going well now see mean " +
    "say said yep sure maybe bit little much many way one two also even still back"
  ).split(' '),
);

// Phrase cues, grouped by what they signal. Each is matched as a whole-word sequence.

/** Restating what the other person said or meant (MITI simple and complex reflections). */
export const REFLECTION_CUES = [
  'sounds like', 'it sounds', 'seems like', 'it seems', 'you seem', 'you feel', "you're feeling", 'you are feeling',
  'you felt', "you've been feeling", 'you feel like', "you're saying", 'you are saying', "what i'm hearing",
  'what i hear', 'i hear', "i'm hearing", 'i hear you', "you're not sure", 'you are not sure', "you aren't sure",
  "you're wondering", "you're worried", 'you are worried', "you're concerned", "you're afraid", "you're scared",
  "you're frustrated", "you're tired", "you'd like", 'you would like', 'you want', 'you wanna', "you don't want",
  'you really want', 'part of you', 'on one hand', 'on the other hand', 'for you', 'to you', "you're thinking",
  "you've decided", "you're ready", "you're not ready", "you'd rather", "you've noticed", "you're struggling",
  'you worry', 'must be', 'must feel', 'in other words', 'you mean', 'so you', 'you realize', "you've realized",
  "you're hoping", 'you hope', 'you care', 'you value', 'matters to you', 'important to you', "you're torn",
  "you're feeling", "you don't like", "you don't feel", "you didn't", "you've had", "you've got", "you're not",
  "it's hard", "it's been hard", "it's difficult", "that's hard", "that's tough", "that's difficult", 'not easy',
  "you've been", "you're really", 'you really', 'you know that', 'you sound', 'feels like', 'kind of like',
  'sort of like', 'almost like', 'my guess is', "i'm guessing", 'i imagine', 'i get the sense', 'i sense',
];

/** Telling the person what to do, warning, or arguing for change (MITI persuade / confront). */
export const ADVICE_CUES = [
  'you should', "you shouldn't", 'you need to', "you'll need to", 'you have to', "you've got to", 'you must',
  'you ought to', 'you gotta', "you'd better", 'you better', 'i recommend', "i'd recommend", 'i would recommend',
  'i suggest', "i'd suggest", 'i would suggest', 'my advice', 'i advise', 'i want you to', "i'd like you to",
  'i need you to', 'make sure', 'why don\'t you', 'how about you', 'why not', 'the best thing', 'what you need',
  'try to', "it's important that you", "it's important to", 'come on',
  "you're going to have to", "you're gonna have to", 'i\'m concerned about your',
  "i'm worried about your", 'i strongly', 'i would encourage', "i'd encourage", 'i encourage', 'you could try',
  'have you tried', 'have you considered', 'what if you', 'one thing you can', 'one thing you could',
  'recommend', 'strongly recommend', 'we need to', 'you do need to', 'you might want to', 'you may want to',
  "it's best to", "it's a good idea to", 'the best way', 'you could check', 'i want to see you', 'we should',
  'i think we should', 'you can just', 'you could just', 'you can say', 'you could say', 'you can use', 'you can try',
  'just tell', 'one good option', 'a good option',
];

/** Giving information or explaining at length (coded as practitioner input, not listening). */
export const INFO_CUES = [
  'research', 'studies', 'study shows', 'evidence', 'guidelines', 'recommended', 'the risk', 'risk of',
  'increases', 'can cause', 'can lead to', 'leads to', 'percent', 'per cent', 'statistics', 'doctors',
  'the reason', 'what happens is', 'the way it works', 'in general', 'on average', 'most people', 'a lot of people',
  'my role', 'my job', 'we can', 'we could', 'for example', 'a lot of times', 'usually', 'typically',
  'generally', 'technically', 'risks', 'symptoms', 'effective', 'information', 'the good news', 'what we know',
  'you might already know', 'defined as', 'we define', 'side effects', 'chances', 'your chance', 'what we call',
  'some people', 'many people', 'people who', 'people your age', 'other people', 'i think', "i've heard", "i'm sure",
  'i bet', 'i would suspect', 'i had a client', 'has been found', 'been shown', 'it works', 'it can',
  'medication', 'dose', 'treatment', 'program', 'options', 'the law', 'policy', 'rules',
];

/** Asking before advising keeps advice MI-adherent. */
export const PERMISSION_CUES = [
  'is it okay if', 'is it ok if', 'is it alright if', 'would it be okay', 'would it be ok', 'would it be alright',
  'can i share', 'may i share', 'could i share', 'can i tell you', 'may i', 'would you mind if i',
  'do you mind if i', 'would you like to hear', 'would you be open', 'are you open to', 'would you be interested',
  'can i offer', 'could i offer', 'can i give you',
];

/** Noticing the person's strengths and efforts (MITI affirm). */
export const AFFIRM_CUES = [
  'good for you', 'well done', 'great job', 'good job', 'nice job', "that's great", "that's wonderful",
  "that's fantastic", "that's amazing", "that's impressive", "that's excellent", "that's awesome", 'i appreciate',
  "you've done", 'you did a', "you've worked", 'you worked hard', "you're doing",
  'proud of you', 'that took', 'takes courage', 'took courage', 'you clearly', 'you obviously', 'you really care',
  "you're committed", "you're determined", "that's a good", 'good idea', 'great idea', "you've made",
  "that's a big", "you're strong", "you're a good", 'impressive', 'courage', 'resourceful',
  'brave', 'congratulations', 'you managed', "you've managed", 'a lot of strength', 'you care about',
];

/** Pulling what was said together (MITI summary, counted as a reflection too). */
export const SUMMARY_CUES = [
  'to summarize', 'to sum up', 'let me summarize', 'summarize', 'sum up', 'let me see if i', 'if i understand',
  'so far', "let's recap", 'recap', "what i've heard", "you've told me", 'you mentioned', 'you said', "you've said",
  'let me make sure', 'putting it together', 'putting that together', 'so overall', 'all together',
];

/** Questions that ask for a story, with or without a question mark. */
export const OPEN_INVITES = [
  'tell me', 'describe', 'walk me through', 'say more', 'help me understand', "i'm curious", 'curious about',
  'talk to me about', 'remind me', 'explain to me',
  'i wonder what', 'i wonder how', "i'm wondering what", "i'm wondering how", 'i am wondering what',
];

/** Moving toward action: plans, next steps, commitments asked for or offered. */
export const NEXT_STEP_CUES = [
  'next step', 'next steps', 'first step', 'going forward', 'moving forward', 'action plan', 'a plan', 'your plan',
  'the plan', 'what will you', 'what are you going to', 'when will you', 'by when', 'by next', 'next week',
  'next time', 'follow up', 'check in', "let's", 'commit', 'goal', 'goals', "what's next", 'from here',
  'where do you go', 'how will you', 'what would you like to do', 'what do you want to do', 'agree to',
  'try this', 'this week', 'tomorrow', 'deadline',
];

/** Greetings, thanks and goodbyes: polite, and not coded as any listening skill. */
export const SOCIAL_CUES = [
  'nice to meet you', 'good to meet you', 'nice to see you', 'good to see you', "you're welcome", 'you are welcome',
  'thank you', 'thanks', 'look forward', 'see you', 'take care', 'have a good', 'have a great', 'good morning',
  'good afternoon', 'good evening', 'hello', 'hi', 'bye', 'goodbye', 'my pleasure', 'a pleasure', 'appreciate you coming',
  'for coming in', 'welcome',
];

/** Softening words that weaken a message when they pile up. */
export const HEDGE_CUES = [
  'maybe', 'perhaps', 'i guess', 'kind of', 'sort of', 'probably', 'possibly', 'i suppose', 'somewhat',
  'a little bit', 'i think maybe', 'you know', 'i mean', 'like i said', 'or something', 'or whatever',
];

/** The counterpart talking toward change: desire, ability, reasons, need, commitment, steps taken. */
export const CHANGE_TALK = [
  'i want to', 'i wanna', "i'd like to", 'i would like to', 'i will', "i'll", "i'm going to", 'i am going to',
  "i'm gonna", 'i could', 'i can', 'i need to', 'i should', 'i have to', "i've decided", 'i decided',
  "i'm ready", "i'm willing", "i'll try", 'i might', 'i plan', "i'm planning", 'i hope to', "i'd be willing",
  "i'm thinking about", "i've been thinking", "i've started", 'i started', "i've cut", 'i stopped', 'i quit',
  'would help', 'might work', 'good idea', 'worth a try', "i'm worried", "i'm concerned", "it's a problem",
  "i don't like", 'i need', 'i want', 'makes sense', 'i could try', 'i would', 'i know i', 'i should probably',
];

/** The counterpart arguing for the status quo or pushing back. */
export const SUSTAIN_TALK = [
  "i can't", 'i cannot', "i don't want", "i won't", "i'm not going to", "i'm not gonna", 'not a problem',
  "isn't a problem", 'no problem', 'not a big deal', 'not that bad', "it's fine", "i'm fine", "i don't need",
  "i don't think so", 'no way', "i don't have time", 'too hard', 'too busy', 'i like', 'i enjoy', "i don't see",
  "i'm not ready", 'not ready', "i don't care", 'whatever', 'everyone does', 'everybody does', 'all my friends',
  "it's normal", 'it helps me', "didn't work", "doesn't work", "won't work", "it's not like", 'yeah but',
  'yes but', 'why should i', "you don't understand", 'leave me alone', 'not my fault', "it's not my",
  "i don't drink that much", 'not that much', 'only on', 'i just', 'i have no',
];

/** The counterpart asking for advice, which makes advice that follows solicited. */
export const ADVICE_REQUESTS = [
  'should i', 'what can i', 'what do i', 'how do i', 'how can i', 'do you think i', 'what would you',
  'any advice', 'any suggestions', 'suggest', 'advise', 'recommend', 'what do you think', 'can you help',
  'tell me what', 'what should', 'is there anything', 'what else can',
];

/** Words that flip the valence of the next sentiment word ("not good"). */
export const NEGATORS = new Set(['not', 'no', 'never', "don't", "doesn't", "didn't", "isn't", "wasn't", "can't", "won't", 'nothing', "aren't", "wouldn't", "couldn't", 'without']);
