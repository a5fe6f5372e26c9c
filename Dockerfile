# chartbot as a service: the config and the database live on the /data volume.
#   docker build -t chartbot .
#   docker run -d --restart unless-stopped --name chartbot -v chartbot-data:/data \
#     -e CHARTBOT_DISCORD_TOKEN=... chartbot
FROM python:3.11-slim
# Fonts for every script a title or a country's name is drawn in (bot/pictures/style.py):
# Noto for Hangul, kana and kanji, Arabic, Hebrew, Devanagari, Thai and more.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-core \
    fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir . && useradd --create-home chartbot && mkdir /data \
    && chown chartbot /data && chmod 0700 /data
USER chartbot
VOLUME /data
WORKDIR /data
ENTRYPOINT ["chartbot"]
CMD ["run", "-c", "/data/config.toml"]
