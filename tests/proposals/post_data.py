"""Form data a browser would post for a proposal."""


def proposal_post_data(conference, **overrides):
    topics = list(conference.topics.all())
    data = {
        "title": "Offline evaluation of recommender policies",
        "format": "talk",
        "abstract": "We show how to evaluate recommendation policies offline with "
        "counterfactual estimators and report results on public logs.",
        "outline": "1. Problem\n2. Estimators\n3. Results\n4. Demo",
        "topics": [topics[0].pk],
        "notes_to_chairs": "",
        "speakers-TOTAL_FORMS": "2",
        "speakers-INITIAL_FORMS": "0",
        "speakers-MIN_NUM_FORMS": "1",
        "speakers-MAX_NUM_FORMS": "8",
        "speakers-0-name": "Ada Lovelace",
        "speakers-0-email": "ada@sponsor.example",
        "speakers-0-affiliation": "Sponsor",
        "speakers-0-bio": "Researcher.",
        "speakers-1-name": "",
        "speakers-1-email": "",
        "speakers-1-affiliation": "",
        "speakers-1-bio": "",
    }
    data.update(overrides)
    return data
