from bench.common import NETFLIX_NEW, netflix_text
from bot.sources.netflix import parse_netflix
body = netflix_text(NETFLIX_NEW).encode()
parse_netflix(body, source='n')
